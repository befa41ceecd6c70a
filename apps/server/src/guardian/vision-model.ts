import type { Config } from '../config.ts'
import { sharp } from '../proof/sharp.ts'
import { type Check, check } from './check.ts'

export interface VisionInput {
  title: string
  description: string
  requirements: string[]
  notes: string | null
  /** Stored (metadata-free) JPEGs. */
  photos: Buffer[]
}

const SYSTEM_PROMPT =
  'You review proof that a human completed a task for an AI agent. Judge only from the task, the ' +
  'requirements, the notes and the photos whether each requirement is met. Answer with one JSON ' +
  'object and nothing else: {"verdict": "approve" | "reject" | "uncertain", "confidence": 0-100, ' +
  '"reasoning": "one or two sentences"}.'

/** Photos are sent at most this large (long side): enough to judge, small enough to send fast. */
const SEND_SIDE = 1024
/** The model's say in the weighted mean, relative to one rules check. */
const VISION_WEIGHT = 3

async function dataUrl(photo: Buffer): Promise<string> {
  const small = await sharp(photo)
    .resize(SEND_SIDE, SEND_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer()
  return `data:image/jpeg;base64,${small.toString('base64')}`
}

function userText(v: VisionInput): string {
  return [
    `Task: ${v.title}`,
    `Description: ${v.description}`,
    `Requirements:\n${v.requirements.map((r, i) => `${i + 1}. ${r}`).join('\n')}`,
    `Operator's notes: ${v.notes ?? '(none)'}`,
    `${v.photos.length} photo(s) follow.`,
  ].join('\n\n')
}

interface Verdict {
  verdict: 'approve' | 'reject' | 'uncertain'
  confidence: number
  reasoning: string
}

/** The model's answer, or null when it is not the JSON we asked for. */
export function parseVerdict(content: unknown): Verdict | null {
  if (typeof content !== 'string') return null
  const body = content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, '')
  let v: Record<string, unknown>
  try {
    v = JSON.parse(body)
  } catch {
    return null
  }
  const verdict = typeof v.verdict === 'string' ? v.verdict.toLowerCase() : ''
  if (verdict !== 'approve' && verdict !== 'reject' && verdict !== 'uncertain') return null
  let confidence = Number(v.confidence)
  if (!Number.isFinite(confidence) || confidence < 0 || confidence > 100) return null
  if (confidence <= 1 && !Number.isInteger(confidence)) confidence *= 100
  const reasoning = typeof v.reasoning === 'string' ? v.reasoning.slice(0, 500) : ''
  return { verdict, confidence, reasoning }
}

async function askModel(config: Config, input: VisionInput): Promise<Verdict | string> {
  const images = await Promise.all(input.photos.map(dataUrl))
  let res: Response
  try {
    res = await fetch(`${config.guardianLlmUrl!.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.guardianLlmKey ? { authorization: `Bearer ${config.guardianLlmKey}` } : {}),
      },
      body: JSON.stringify({
        model: config.guardianLlmModel,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          {
            role: 'user',
            content: [
              { type: 'text', text: userText(input) },
              ...images.map((url) => ({ type: 'image_url', image_url: { url } })),
            ],
          },
        ],
      }),
      signal: AbortSignal.timeout(config.guardianLlmTimeoutMs),
      redirect: 'error',
    })
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError'
    return timedOut
      ? `no answer within ${config.guardianLlmTimeoutMs} ms`
      : 'the endpoint could not be reached'
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    return `the endpoint answered HTTP ${res.status}`
  }
  try {
    const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] }
    return (
      parseVerdict(body.choices?.[0]?.message?.content) ?? 'its answer was not the JSON verdict asked for'
    )
  } catch (err) {
    return (err as Error).name === 'TimeoutError'
      ? `no answer within ${config.guardianLlmTimeoutMs} ms`
      : 'its answer was not JSON'
  }
}

/**
 * The optional vision model's judgement as a check: its verdict, weighted in the mean but never
 * a gate (it cannot alone send proof back). When the model fails in any way the check is shown
 * with weight 0 and the decision rests on the rules alone.
 */
export async function visionCheck(config: Config, input: VisionInput): Promise<Check> {
  const answer = await askModel(config, input)
  if (typeof answer === 'string') {
    return check('vision_model', 0, `Vision model unavailable (${answer}); decided on the rules alone.`, {
      weight: 0,
      gate: false,
    })
  }
  const score =
    answer.verdict === 'approve'
      ? answer.confidence
      : answer.verdict === 'reject'
        ? 100 - answer.confidence
        : 50
  return check(
    'vision_model',
    score,
    `Vision model (${config.guardianLlmModel}): ${answer.verdict}, confidence ${Math.round(answer.confidence)}. ${answer.reasoning}`.trim(),
    { weight: VISION_WEIGHT, gate: false },
  )
}
