import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'

/**
 * PostgreSQL only (ADR 0024): a task's create is one statement, `select humcli_create_task($1)`,
 * instead of ten statements each a round trip, with the agent's connection idle in transaction
 * between them. The functions only write what `createTask` planned (`CreatePlan`, as JSON): the
 * rows, the ledger's account changes in their order, and the guards. Every value and every rule
 * (fees, limits, which jobs) stays in TypeScript, shared with SQLite's path, which writes the same
 * plan with one statement per step (`writeCreateWithStatements`).
 *
 * The guards raise, so nothing of the create is left when one fails:
 * - `HC001`: the daily usage upsert was refused (a limit); DETAIL holds today's usage as JSON.
 * - `HC002`: a debit the account cannot cover; DETAIL holds the account.
 * The agent's own rows (counters, daily usage, balances) are written last, so their row locks are
 * held from the end of the function to its commit.
 */
const POST = sql`
create or replace function humcli_post(p jsonb) returns void language plpgsql as $fn$
declare
  c record;
  v_at text := p->'transaction'->>'created_at';
begin
  insert into ledger_transactions (id, kind, task_id, memo, created_at)
  values (p->'transaction'->>'id', p->'transaction'->>'kind', p->'transaction'->>'task_id',
          p->'transaction'->>'memo', v_at);
  for c in
    select e->>'account' as account, (e->>'amount')::bigint as amount, (e->>'debit')::boolean as debit
    from jsonb_array_elements(p->'changes') with ordinality as x(e, ord) order by ord
  loop
    if c.debit then
      update accounts set balance_micros = balance_micros - c.amount
      where id = c.account and balance_micros >= c.amount;
      if not found then
        raise exception using errcode = 'HC002', message = 'insufficient balance', detail = c.account;
      end if;
    else
      insert into accounts (id, balance_micros, created_at) values (c.account, c.amount, v_at)
      on conflict (id) do update set balance_micros = accounts.balance_micros + excluded.balance_micros;
    end if;
  end loop;
  insert into ledger_entries (transaction_id, account_id, amount_micros, created_at)
  select p->'transaction'->>'id', e->>'account', (e->>'amount')::bigint, v_at
  from jsonb_array_elements(p->'entries') with ordinality as x(e, ord) order by ord;
end
$fn$`

const CREATE_TASK = sql`
create or replace function humcli_create_task(p jsonb) returns void language plpgsql as $fn$
declare
  u record;
  n jsonb;
  v_agent text := p->'usage'->>'agent_id';
  v_day text := p->'usage'->>'day';
begin
  insert into tasks select * from jsonb_populate_record(null::tasks, p->'task');
  insert into task_transitions (task_id, from_status, to_status, actor, reason, at)
  select t.task_id, t.from_status, t.to_status, t.actor, t.reason, t.at
  from jsonb_populate_record(null::task_transitions, p->'transition') as t;
  insert into jobs (kind, payload, run_at, status, attempts, max_attempts, created_at, group_key)
  select j->>'kind', j->>'payload', j->>'run_at', 'queued', 0, (j->>'max_attempts')::bigint,
         j->>'created_at', j->>'group_key'
  from jsonb_array_elements(p->'jobs') with ordinality as x(j, ord) order by ord;
  for n in select * from jsonb_array_elements(p->'notify') loop
    perform pg_notify(n->>'channel', current_schema() || ':' || (n->>'message'));
  end loop;
  insert into task_counts (scope, status, task_type, n)
  select d->>'scope', d->>'status', d->>'task_type', (d->>'n')::bigint
  from jsonb_array_elements(p->'counts') with ordinality as x(d, ord) order by ord
  on conflict (scope, status, task_type) do update set n = task_counts.n + excluded.n;
  insert into agent_daily_usage as a (agent_id, day, tasks, spend_micros)
  values (v_agent, v_day, 1, (p->'usage'->>'spend')::bigint)
  on conflict (agent_id, day) do update
    set tasks = a.tasks + 1, spend_micros = a.spend_micros + excluded.spend_micros
    where a.tasks < (p->'usage'->>'max_tasks')::bigint
      and a.spend_micros + excluded.spend_micros <= (p->'usage'->>'max_spend')::bigint;
  if not found then
    select tasks, spend_micros into u from agent_daily_usage where agent_id = v_agent and day = v_day;
    raise exception using errcode = 'HC001', message = 'daily limit',
      detail = json_build_object('tasks', u.tasks::text, 'spend_micros', u.spend_micros::text)::text;
  end if;
  if jsonb_typeof(p->'posting') = 'object' then
    perform humcli_post(p->'posting');
  end if;
end
$fn$`

const CREATE_TASKS = sql`
create or replace function humcli_create_tasks(p jsonb) returns jsonb language plpgsql as $fn$
declare
  item jsonb;
  results jsonb := '[]'::jsonb;
  st text;
  dt text;
begin
  for item in select e from jsonb_array_elements(p) with ordinality as x(e, ord) order by ord loop
    begin
      perform humcli_create_task(item);
      results := results || jsonb_build_array(jsonb_build_object('code', null));
    exception when sqlstate 'HC001' or sqlstate 'HC002' then
      get stacked diagnostics st = returned_sqlstate, dt = pg_exception_detail;
      results := results || jsonb_build_array(jsonb_build_object('code', st, 'detail', dt));
    end;
  end loop;
  return results;
end
$fn$`

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return
  await POST.execute(db)
  await CREATE_TASK.execute(db)
  await CREATE_TASKS.execute(db)
}
