import type { Ctx } from '../context.ts'
import { purgeCredentials } from '../credentials/purge-credentials.ts'
import { reviewSubmission } from '../guardian/review-submission.ts'
import { JOB_KINDS, type JobKind, type JobPayloads } from '../jobs/enqueue.ts'
import { sendEmail } from '../mail/send-email.ts'
import { releaseEarnings } from '../operators/earnings.ts'
import { sendPayout } from '../payments/send-payout.ts'
import { watchDeposits } from '../payments/watch-deposits.ts'
import { analyzeStale } from '../retention/analyze.ts'
import { pruneFinished } from '../retention/prune.ts'
import { simulateAccept } from '../sandbox/simulate-accept.ts'
import { simulateStart } from '../sandbox/simulate-start.ts'
import { simulateSubmit } from '../sandbox/simulate-submit.ts'
import { expireDeadline } from '../tasks/cancel-task.ts'
import { expireEstimate } from '../tasks/expire-estimate.ts'
import { autoApproveReview } from '../tasks/verify-task.ts'
import { fanOutEvents } from '../webhooks/fan-out.ts'

type Handlers = { [K in JobKind]: (ctx: Ctx, payload: JobPayloads[K]) => Promise<unknown> }

/**
 * Every job kind and the verb that runs it, each typed by its kind's payload (`JobPayloads`).
 * Handlers are idempotent: running one twice changes nothing.
 */
export const JOB_HANDLERS: Handlers = {
  'estimate.expire': expireEstimate,
  'task.deadline': expireDeadline,
  'review.auto_approve': autoApproveReview,
  'earnings.release': releaseEarnings,
  'webhooks.fan_out': (ctx) => fanOutEvents(ctx),
  'guardian.review': reviewSubmission,
  'credentials.purge': purgeCredentials,
  'payouts.send': sendPayout,
  'sandbox.accept': simulateAccept,
  'sandbox.start': simulateStart,
  'sandbox.submit': simulateSubmit,
  'email.send': sendEmail,
  'chain.watch': watchDeposits,
  'retention.prune': pruneFinished,
  'retention.analyze': analyzeStale,
}

export const isJobKind = (kind: string): kind is JobKind => (JOB_KINDS as readonly string[]).includes(kind)

function call<K extends JobKind>(ctx: Ctx, kind: K, payload: JobPayloads[K]): Promise<unknown> {
  const handler: Handlers[K] = JOB_HANDLERS[kind]
  return handler(ctx, payload)
}

/** Runs the handler of a stored job; its payload is the JSON `enqueueJob` wrote for that kind. */
export async function runHandler(ctx: Ctx, kind: string, payload: string): Promise<void> {
  if (!isJobKind(kind)) throw new Error(`no handler for job kind ${kind}`)
  await call(ctx, kind, JSON.parse(payload) as JobPayloads[typeof kind])
}
