import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'

/**
 * Webhook attempts are claimed straight from `webhook_deliveries` (ADR 0027), not through a
 * `webhooks.deliver` job per attempt:
 * - `ready` = 1 marks the delivery at the head of its (task, target) line, the one an attempt may
 *   take; the deliveries behind it wait with 0 until it ends (the trigger below), so a line whose head
 *   is retrying later costs a claim nothing, however long it is;
 * - `webhook_deliveries_ready` holds only the ready pending deliveries, by when they are due, so a
 *   claim reads the earliest due and nothing else.
 * - the trigger `webhook_deliveries_release_next` makes the next pending delivery of a line ready
 *   when its head is finished (delivered or given up), in the statement that finishes it, so
 *   recording an attempt is one statement. On PostgreSQL it first takes the fan-out's lock shared
 *   (`lockFanOutShared` in record-attempt.ts): a fan-out that is adding deliveries to the line
 *   without making them ready (`pendingPairs`) commits first, and the trigger's next command — a
 *   new snapshot, as each command of a volatile function has — sees them. SQLite has one writer.
 * The deliveries pending now: the head of each line becomes ready. Their attempt jobs, queued or
 * running, are deleted: the deliveries lane claims those deliveries itself (one still locked by an
 * attempt that was running is claimable when its lock runs out).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('ready', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await sql`
    update webhook_deliveries set ready = 1
    where status = 'pending'
      and (task_id is null or not exists (
        select 1 from webhook_deliveries e
        where e.target = webhook_deliveries.target and e.task_id = webhook_deliveries.task_id
          and e.status = 'pending' and e.event_seq < webhook_deliveries.event_seq))`.execute(db)
  await db.schema
    .createIndex('webhook_deliveries_ready')
    .on('webhook_deliveries')
    .columns(['next_attempt_at', 'id'])
    .where(sql<boolean>`status = 'pending' and ready = 1`)
    .execute()
  await sql`delete from jobs where kind = 'webhooks.deliver' and status in ('queued', 'running')`.execute(db)
  const releaseNext = sql`
    update webhook_deliveries set ready = 1
    where id = (
      select n.id from webhook_deliveries n
      where n.target = new.target and n.task_id = new.task_id and n.status = 'pending'
      order by n.event_seq limit 1)`
  if (dialect === 'postgres') {
    await sql`
      create function humcli_release_next_delivery() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock_shared(hashtext(current_schema() || ':humcli-fan-out'));
        ${releaseNext};
        return null;
      end $$`.execute(db)
    await sql`
      create trigger webhook_deliveries_release_next
      after update of status on webhook_deliveries
      for each row when (old.status = 'pending' and new.status <> 'pending' and new.task_id is not null)
      execute function humcli_release_next_delivery()`.execute(db)
  } else {
    await sql`
      create trigger webhook_deliveries_release_next
      after update of status on webhook_deliveries
      for each row when old.status = 'pending' and new.status <> 'pending' and new.task_id is not null
      begin ${releaseNext}; end`.execute(db)
  }
}
