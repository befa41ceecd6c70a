import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'

/**
 * PostgreSQL only (ADR 0024, amendment of 2026-12-03): a batch of creates runs without
 * subtransactions. Migration 0021 gave each create of a batch its own `EXCEPTION` block, so a
 * refused guard rolled back only that create. But every create also locks its agent's row
 * (`FOR KEY SHARE`, the foreign key of `tasks.agent_id`), and two subtransactions locking one row
 * make a MultiXact of both, the next one of three, and so on: a batch of one agent's creates built
 * MultiXacts of up to 50 members, and with two processes' batches on one agent every lock read all
 * of them. Measured: 102,000 MultiXacts in one run of the create bench, 1,100 without the blocks;
 * two API processes with one agent went from 404 to 1,374 creates/s.
 *
 * `humcli_try_create_task` therefore checks its guards before it inserts anything and, when one
 * refuses, takes back what it already changed, in the same transaction, and answers the refusal
 * instead of raising it:
 * 1. the counters (the market shard's row, then the agent's: the lock order of `taskCountDeltas`);
 * 2. the daily usage upsert, refused over a limit (`HC001`, with today's usage as DETAIL);
 * 3. the ledger's account changes in their order; a debit the account cannot cover is `HC002`
 *    (DETAIL: the account);
 * 4. only then the task, its transition, jobs, notifications and the ledger's transaction and
 *    entries.
 * `humcli_create_task` (one create alone) raises what it answers, so nothing of it is left;
 * `humcli_create_tasks` collects the answers. The rows written are the ones 0021's functions wrote.
 */
const TRY_CREATE_TASK = sql`
create or replace function humcli_try_create_task(p jsonb) returns jsonb language plpgsql as $fn$
declare
  u record;
  n jsonb;
  c record;
  v_agent text := p->'usage'->>'agent_id';
  v_day text := p->'usage'->>'day';
  v_spend bigint := (p->'usage'->>'spend')::bigint;
  v_post jsonb := case when jsonb_typeof(p->'posting') = 'object' then p->'posting' end;
  v_refused text;
  v_refused_at bigint;
begin
  insert into task_counts (scope, status, task_type, n)
  select d->>'scope', d->>'status', d->>'task_type', (d->>'n')::bigint
  from jsonb_array_elements(p->'counts') with ordinality as x(d, ord) order by ord
  on conflict (scope, status, task_type) do update set n = task_counts.n + excluded.n;

  insert into agent_daily_usage as a (agent_id, day, tasks, spend_micros)
  values (v_agent, v_day, 1, v_spend)
  on conflict (agent_id, day) do update
    set tasks = a.tasks + 1, spend_micros = a.spend_micros + excluded.spend_micros
    where a.tasks < (p->'usage'->>'max_tasks')::bigint
      and a.spend_micros + excluded.spend_micros <= (p->'usage'->>'max_spend')::bigint;
  if not found then
    select tasks, spend_micros into u from agent_daily_usage where agent_id = v_agent and day = v_day;
    v_refused := 'HC001';
  elsif v_post is not null then
    for c in
      select e->>'account' as account, (e->>'amount')::bigint as amount,
             (e->>'debit')::boolean as debit, ord
      from jsonb_array_elements(v_post->'changes') with ordinality as x(e, ord) order by ord
    loop
      if c.debit then
        update accounts set balance_micros = balance_micros - c.amount
        where id = c.account and balance_micros >= c.amount;
        if not found then
          v_refused := 'HC002';
          v_refused_at := c.ord;
          exit;
        end if;
      else
        insert into accounts (id, balance_micros, created_at)
        values (c.account, c.amount, v_post->'transaction'->>'created_at')
        on conflict (id) do update set balance_micros = accounts.balance_micros + excluded.balance_micros;
      end if;
    end loop;
  end if;

  if v_refused is not null then
    -- Take back, in the same rows, what this create changed before its guard refused.
    if v_refused = 'HC002' then
      update accounts a
      set balance_micros = a.balance_micros
        + case when (e->>'debit')::boolean then (e->>'amount')::bigint else -(e->>'amount')::bigint end
      from jsonb_array_elements(v_post->'changes') with ordinality as x(e, ord)
      where x.ord < v_refused_at and a.id = e->>'account';
      update agent_daily_usage set tasks = tasks - 1, spend_micros = spend_micros - v_spend
      where agent_id = v_agent and day = v_day;
    end if;
    update task_counts t set n = t.n - (d->>'n')::bigint
    from jsonb_array_elements(p->'counts') as x(d)
    where t.scope = d->>'scope' and t.status = d->>'status' and t.task_type = d->>'task_type';
    if v_refused = 'HC001' then
      return jsonb_build_object('code', 'HC001', 'detail',
        json_build_object('tasks', u.tasks::text, 'spend_micros', u.spend_micros::text)::text);
    end if;
    return jsonb_build_object('code', 'HC002', 'detail', v_post->'changes'->(v_refused_at - 1)::int->>'account');
  end if;

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
  if v_post is not null then
    insert into ledger_transactions (id, kind, task_id, memo, created_at)
    values (v_post->'transaction'->>'id', v_post->'transaction'->>'kind',
            v_post->'transaction'->>'task_id', v_post->'transaction'->>'memo',
            v_post->'transaction'->>'created_at');
    insert into ledger_entries (transaction_id, account_id, amount_micros, created_at)
    select v_post->'transaction'->>'id', e->>'account', (e->>'amount')::bigint,
           v_post->'transaction'->>'created_at'
    from jsonb_array_elements(v_post->'entries') with ordinality as x(e, ord) order by ord;
  end if;
  return null;
end
$fn$`

const CREATE_TASK = sql`
create or replace function humcli_create_task(p jsonb) returns void language plpgsql as $fn$
declare
  r jsonb := humcli_try_create_task(p);
begin
  if r is not null then
    raise exception using errcode = r->>'code', detail = r->>'detail',
      message = case r->>'code' when 'HC001' then 'daily limit' else 'insufficient balance' end;
  end if;
end
$fn$`

const CREATE_TASKS = sql`
create or replace function humcli_create_tasks(p jsonb) returns jsonb language plpgsql as $fn$
declare
  item jsonb;
  results jsonb := '[]'::jsonb;
begin
  for item in select e from jsonb_array_elements(p) with ordinality as x(e, ord) order by ord loop
    results := results
      || jsonb_build_array(coalesce(humcli_try_create_task(item), jsonb_build_object('code', null)));
  end loop;
  return results;
end
$fn$`

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return
  await TRY_CREATE_TASK.execute(db)
  await CREATE_TASK.execute(db)
  await CREATE_TASKS.execute(db)
  // Only 0021's humcli_create_task called it.
  await sql`drop function if exists humcli_post(jsonb)`.execute(db)
}
