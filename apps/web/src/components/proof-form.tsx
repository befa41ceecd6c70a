import { TASK_DOMAINS } from '@humcli/contract/enums'
import { useState } from 'preact/hooks'
import type { OperatorTask } from '../api/operator.ts'
import { formatBytes, useT } from '../i18n/index.ts'
import { currentPosition, type Position } from '../lib/geo.ts'
import { enqueue, type QueuedPhoto } from '../lib/upload-queue.ts'
import { ErrorText } from './layout.tsx'
import { MAX_PHOTO_BYTES, PhotoList } from './photo-picker.tsx'

const CREDENTIAL_TYPES: readonly string[] = TASK_DOMAINS.CREDENTIAL

function CredentialFields() {
  const t = useT()
  return (
    <fieldset>
      <legend>{t('proof.credentials')}</legend>
      <label>
        {t('proof.username')}
        <input name="username" autocomplete="off" />
      </label>
      <label>
        {t('proof.password')}
        <input name="password" type="password" autocomplete="new-password" />
      </label>
      <label>
        {t('proof.apiKey')}
        <input name="api_key" type="password" autocomplete="off" />
      </label>
      <label>
        {t('proof.credNotes')}
        <textarea name="credential_notes" rows={2} />
      </label>
    </fieldset>
  )
}

/** The device's position for the photos just taken; none (and a note why) when refused. */
async function positionOrNull(onRefused: (msg: string) => void, t: ReturnType<typeof useT>) {
  try {
    return await currentPosition(5000)
  } catch (err) {
    onRefused(t(err === 'denied' ? 'err.geoDenied' : 'err.geoUnavailable'))
    return null
  }
}

export function ProofForm({ task }: { task: OperatorTask }) {
  const t = useT()
  const [photos, setPhotos] = useState<QueuedPhoto[]>([])
  const [pickErrors, setPickErrors] = useState<string[]>([])
  const [geoNote, setGeoNote] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const credential = CREDENTIAL_TYPES.includes(task.task_type)

  const pick = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement
    const files = [...(input.files ?? [])]
    input.value = ''
    const errors: string[] = []
    const ok = files.filter((f) => {
      if (!f.type.startsWith('image/')) errors.push(t('err.notImage', { name: f.name }))
      else if (f.size > MAX_PHOTO_BYTES)
        errors.push(
          t('err.tooLarge', { name: f.name, size: formatBytes(f.size), limit: formatBytes(MAX_PHOTO_BYTES) }),
        )
      else return true
      return false
    })
    setPickErrors(errors)
    if (ok.length === 0) return
    setGeoNote(null)
    const evidence: Position | null = await positionOrNull(setGeoNote, t)
    setPhotos((prev) => [
      ...prev,
      ...ok.map((f, i) => ({
        name: f.name,
        type: f.type,
        blob: f,
        requirement: task.proof_requirements[prev.length + i] ?? null,
        evidence,
      })),
    ])
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    if (photos.length === 0 && !credential) {
      setError(t('proof.none'))
      return
    }
    const form = e.currentTarget as HTMLFormElement
    const f = new FormData(form)
    const credentials = credential
      ? Object.fromEntries(
          ['username', 'password', 'api_key', 'credential_notes'].map((k) => [k, String(f.get(k) ?? '')]),
        )
      : undefined
    setError(null)
    await enqueue({
      taskId: task.task_id,
      taskTitle: task.title,
      photos,
      notes: String(f.get('notes') ?? ''),
      credentials,
    })
    setPhotos([])
    form.reset()
  }

  return (
    <form class="panel stack" onSubmit={submit}>
      <h2>{t('proof.title')}</h2>
      <label class="file">
        {t('proof.add')}
        <input type="file" accept="image/*" capture="environment" multiple onChange={pick} />
      </label>
      {pickErrors.map((m) => (
        <ErrorText key={m} message={m} />
      ))}
      {geoNote && <p class="hint">{geoNote}</p>}
      <PhotoList photos={photos} requirements={task.proof_requirements} onChange={setPhotos} />
      <label>
        {t('proof.notes')}
        <textarea name="notes" rows={3} maxLength={10_000} />
      </label>
      {credential && <CredentialFields />}
      <ErrorText message={error} />
      <button type="submit">{t('proof.submit')}</button>
    </form>
  )
}
