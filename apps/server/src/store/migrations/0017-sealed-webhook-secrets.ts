import type { Kysely } from 'kysely'
import type { MigrationHelpers } from '../migrate.ts'

// biome-ignore lint/suspicious/noExplicitAny: a migration sees the tables as they were, not as schema.ts types them now
type AnyDb = Kysely<any>

/**
 * Webhook signing secrets were stored in plaintext (issue 16, item 5): endpoint secrets (current
 * and previous) and task callback secrets are sealed under the master key (`sealSecret`), and
 * stored create-task answers that held a generated callback secret lose it (`replayableCreateAnswer`).
 * Rows already sealed are left alone. Needs the master key: `openContext` passes the sealing helpers.
 */
export async function up(db: Kysely<unknown>, _dialect: string, helpers?: MigrationHelpers): Promise<void> {
  const d = db as AnyDb
  const h = needHelpers(helpers)
  const sealEndpoint = (id: string, v: string | null) =>
    v === null || h.isSealed(v) ? v : h.sealEndpointSecret(id, v)
  const endpoints = await d
    .selectFrom('webhook_endpoints')
    .select(['id', 'secret', 'previous_secret'])
    .execute()
  for (const ep of endpoints) {
    const set = {
      secret: sealEndpoint(ep.id, ep.secret),
      previous_secret: sealEndpoint(ep.id, ep.previous_secret),
    }
    if (set.secret === ep.secret && set.previous_secret === ep.previous_secret) continue
    await d.updateTable('webhook_endpoints').set(set).where('id', '=', ep.id).execute()
  }
  const tasks = await d
    .selectFrom('tasks')
    .select(['id', 'callback_secret'])
    .where('callback_secret', 'is not', null)
    .execute()
  for (const t of tasks) {
    if (h.isSealed(t.callback_secret)) continue
    const sealed = h.sealCallbackSecret(t.id, t.callback_secret)
    await d.updateTable('tasks').set({ callback_secret: sealed }).where('id', '=', t.id).execute()
  }
  const answers = await d
    .selectFrom('idempotency_keys')
    .select(['scope', 'response_body'])
    .where('scope', 'like', '%|POST|/api/v1/tasks|%')
    .where('response_body', 'like', '%"callback_secret"%')
    .execute()
  for (const a of answers) {
    const body = h.replayableCreateAnswer(JSON.parse(a.response_body))
    await d
      .updateTable('idempotency_keys')
      .set({ response_body: JSON.stringify(body) })
      .where('scope', '=', a.scope)
      .execute()
  }
}

function needHelpers(helpers: MigrationHelpers | undefined): MigrationHelpers {
  if (!helpers) throw new Error('migration 0017 seals webhook secrets and needs the master key (openContext)')
  return helpers
}
