import type { Ctx } from '../context.ts'
import { purgeCredentials } from '../credentials/purge-credentials.ts'
import { reviewSubmission } from '../guardian/review-submission.ts'
import { sendEmail } from '../mail/send-email.ts'
import { releaseEarnings } from '../operators/earnings.ts'
import { sendPayout } from '../payments/send-payout.ts'
import { watchDeposits } from '../payments/watch-deposits.ts'
import { simulateAccept } from '../sandbox/simulate-accept.ts'
import { simulateStart } from '../sandbox/simulate-start.ts'
import { simulateSubmit } from '../sandbox/simulate-submit.ts'
import { expireDeadline } from '../tasks/cancel-task.ts'
import { expireEstimate } from '../tasks/expire-estimate.ts'
import { autoApproveReview } from '../tasks/verify-task.ts'
import { deliverWebhook } from '../webhooks/deliver.ts'
import { fanOutEvents } from '../webhooks/fan-out.ts'
import type { JobKind } from './enqueue.ts'

// biome-ignore lint/suspicious/noExplicitAny: each handler parses its own payload shape.
type Handler = (ctx: Ctx, payload: any) => Promise<void>

/** Every job kind and the verb that runs it. Handlers are idempotent: running one twice changes nothing. */
export const JOB_HANDLERS: Record<JobKind, Handler> = {
  'estimate.expire': expireEstimate,
  'task.deadline': expireDeadline,
  'review.auto_approve': autoApproveReview,
  'earnings.release': releaseEarnings,
  'webhooks.fan_out': async (ctx) => {
    await fanOutEvents(ctx)
  },
  'webhooks.deliver': deliverWebhook,
  'guardian.review': reviewSubmission,
  'credentials.purge': purgeCredentials,
  'payouts.send': sendPayout,
  'sandbox.accept': simulateAccept,
  'sandbox.start': simulateStart,
  'sandbox.submit': simulateSubmit,
  'email.send': sendEmail,
  'chain.watch': watchDeposits,
}
