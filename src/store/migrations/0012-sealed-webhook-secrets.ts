import type { Kysely } from 'kysely'
import {
  callbackSecretPurpose,
  endpointSecretPurpose,
  isSealedSecret,
  sealSecret,
} from '../../credentials/at-rest.ts'
import type { Secrets } from '../../secrets.ts'
import { replayableCreateAnswer } from '../../tasks/replayable-answer.ts'

// biome-ignore lint/suspicious/noExplicitAny: a migration sees the tables as they were, not as schema.ts types them now
type AnyDb = Kysely<any>

/**
 * Webhook signing secrets were stored in plaintext (issue 16, item 5): endpoint secrets (current
 * and previous) and task callback secrets are sealed under the master key (`sealSecret`), and
 * stored create-task answers that held a generated callback secret lose it (`replayableCreateAnswer`).
 * Rows already sealed are left alone. Needs the master key, which `openContext` passes.
 */
export async function up(db: Kysely<unknown>, _dialect: string, secrets?: Secrets): Promise<void> {
  const d = db as AnyDb
  const seal = (purpose: string, v: string | null) =>
    v === null || isSealedSecret(v) ? v : sealSecret(needKey(secrets), purpose, v)
  const endpoints = await d
    .selectFrom('webhook_endpoints')
    .select(['id', 'secret', 'previous_secret'])
    .execute()
  for (const ep of endpoints) {
    const purpose = endpointSecretPurpose(ep.id)
    const set = { secret: seal(purpose, ep.secret), previous_secret: seal(purpose, ep.previous_secret) }
    if (set.secret === ep.secret && set.previous_secret === ep.previous_secret) continue
    await d.updateTable('webhook_endpoints').set(set).where('id', '=', ep.id).execute()
  }
  const tasks = await d
    .selectFrom('tasks')
    .select(['id', 'callback_secret'])
    .where('callback_secret', 'is not', null)
    .execute()
  for (const t of tasks) {
    if (isSealedSecret(t.callback_secret)) continue
    const sealed = seal(callbackSecretPurpose(t.id), t.callback_secret)
    await d.updateTable('tasks').set({ callback_secret: sealed }).where('id', '=', t.id).execute()
  }
  const answers = await d
    .selectFrom('idempotency_keys')
    .select(['scope', 'response_body'])
    .where('scope', 'like', '%|POST|/api/v1/tasks|%')
    .where('response_body', 'like', '%"callback_secret"%')
    .execute()
  for (const a of answers) {
    const body = replayableCreateAnswer(JSON.parse(a.response_body))
    await d
      .updateTable('idempotency_keys')
      .set({ response_body: JSON.stringify(body) })
      .where('scope', '=', a.scope)
      .execute()
  }
}

function needKey(secrets: Secrets | undefined): Secrets {
  if (!secrets) throw new Error('migration 0012 seals webhook secrets and needs the master key')
  return secrets
}
