import { TIERS } from '@humcli/contract/enums'
import { useState } from 'preact/hooks'
import { getAgent, getOperator, search, setRestriction, setTier } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import type { MessageKey } from '../../i18n/en.ts'
import { formatDate, formatMoney, useT } from '../../i18n/index.ts'
import { statusLabel } from '../../lib/labels.ts'
import { Link, navigate, useQuery } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { staffError, useLoad } from './load.ts'

/** Agents and operators by id, email or name; tasks by id. */
export function SearchPage() {
  const t = useT()
  const q = useQuery().get('q') ?? ''
  const { value, error } = useLoad(async () => (q.trim().length >= 2 ? search(q) : null), [q])
  const submit = (e: Event) => {
    e.preventDefault()
    const text = String(new FormData(e.currentTarget as HTMLFormElement).get('q')).trim()
    navigate(`/admin/search?q=${encodeURIComponent(text)}`)
  }
  const none = value && value.agents.length + value.operators.length + value.tasks.length === 0
  return (
    <AdminLayout title={t('admin.search.title')}>
      <form class="row" onSubmit={submit}>
        <label>
          {t('admin.search.label')}
          <input name="q" type="search" value={q} minLength={2} required />
        </label>
        <button type="submit">{t('admin.search.submit')}</button>
      </form>
      <ErrorText message={error} />
      {none && <p>{t('admin.search.none', { q })}</p>}
      {value && value.agents.length > 0 && (
        <section aria-labelledby="s-agents">
          <h2 id="s-agents">{t('admin.search.agents')}</h2>
          <ul class="cards">
            {value.agents.map((a) => (
              <li key={a.agent_id} class="card">
                <Link href={`/admin/agents/${a.agent_id}`}>{a.name}</Link>
                <p class="meta">
                  <span>{a.email}</span>
                  <span class="tag">{a.tier}</span>
                  {a.restricted && <span class="bad">{t('admin.agent.restricted')}</span>}
                  <code>{a.agent_id}</code>
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      {value && value.operators.length > 0 && (
        <section aria-labelledby="s-ops">
          <h2 id="s-ops">{t('admin.search.operators')}</h2>
          <ul class="cards">
            {value.operators.map((o) => (
              <li key={o.operator_id} class="card">
                <Link href={`/admin/operators/${o.operator_id}`}>{o.name}</Link>
                <p class="meta">
                  <span>{o.email}</span>
                  <span>{t(`kyc.${o.kyc_status}` as MessageKey)}</span>
                  <code>{o.operator_id}</code>
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      {value && value.tasks.length > 0 && (
        <section aria-labelledby="s-tasks">
          <h2 id="s-tasks">{t('admin.search.tasks')}</h2>
          <ul class="cards">
            {value.tasks.map((task) => (
              <li key={task.task_id} class="card">
                <Link href={`/admin/tasks/${task.task_id}`}>{task.title}</Link>
                <p class="meta">
                  <span>{statusLabel(task.status)}</span>
                  <code>{task.task_id}</code>
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </AdminLayout>
  )
}

function RecentTasks(props: {
  tasks: { task_id: string; title: string; status: string; reward_usd: number; created_at: string }[]
}) {
  const t = useT()
  if (props.tasks.length === 0) return <p>{t('admin.lookup.noTasks')}</p>
  return (
    <div class="scroll">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('admin.col.task')}</th>
            <th scope="col">{t('admin.col.status')}</th>
            <th scope="col">{t('admin.col.amount')}</th>
            <th scope="col">{t('admin.col.at')}</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <tr key={task.task_id}>
              <td>
                <Link href={`/admin/tasks/${task.task_id}`}>{task.title}</Link>
              </td>
              <td>{statusLabel(task.status)}</td>
              <td>{formatMoney(task.reward_usd)}</td>
              <td>{formatDate(task.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** An agent: tier, limits, usage, balances, restriction; tier and restriction changes (admins). */
export function AgentPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const { value: a, error, reload } = useLoad(() => getAgent(id), [id])
  const [actionError, setActionError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [reason, setReason] = useState('')
  const act = async (fn: () => Promise<unknown>, msg: string) => {
    setActionError(null)
    setDone(null)
    try {
      await fn()
      setDone(msg)
      await reload()
    } catch (err) {
      setActionError(staffError(err))
    }
  }
  const changeTier = (e: Event) => {
    e.preventDefault()
    const tier = String(new FormData(e.currentTarget as HTMLFormElement).get('tier'))
    void act(() => setTier(id, tier), t('admin.agent.tierDone', { tier }))
  }
  return (
    <AdminLayout title={a?.name ?? t('admin.agent.title')}>
      <ErrorText message={error} />
      {a && (
        <>
          <p class="meta">
            <span>{a.email}</span>
            {a.company && <span>{a.company}</span>}
            <code>{a.agent_id}</code>
            <span>{t('admin.agent.since', { when: formatDate(a.created_at) })}</span>
          </p>
          {a.restricted && (
            <p class="bad">{t('admin.agent.restrictedBecause', { reason: a.restricted_reason ?? '—' })}</p>
          )}
          <dl class="balances panel">
            <div>
              <dt>{t('admin.agent.deposit')}</dt>
              <dd>{formatMoney(a.balance.deposit_balance)}</dd>
            </div>
            <div>
              <dt>{t('admin.agent.escrow')}</dt>
              <dd>{formatMoney(a.balance.escrow_balance)}</dd>
            </div>
            <div>
              <dt>{t('admin.agent.today')}</dt>
              <dd>
                {t('admin.agent.usage', {
                  tasks: a.usage_today.tasks,
                  spend: formatMoney(a.usage_today.spend_usd),
                })}
              </dd>
            </div>
          </dl>
          {done && (
            <p class="ok" role="status">
              {done}
            </p>
          )}
          <ErrorText message={actionError} />
          <section class="panel stack" aria-labelledby="tier-h">
            <h2 id="tier-h">{t('admin.agent.tier', { tier: a.tier })}</h2>
            <form class="row" onSubmit={changeTier}>
              <label>
                {t('admin.agent.newTier')}
                <select name="tier" value={a.tier}>
                  {TIERS.map((tier) => (
                    <option key={tier} value={tier}>
                      {tier}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">{t('admin.agent.setTier')}</button>
            </form>
          </section>
          <section class="panel stack" aria-labelledby="restrict-h">
            <h2 id="restrict-h">{t('admin.agent.restriction')}</h2>
            {!a.restricted && (
              <label>
                {t('admin.agent.reason')}
                <input
                  value={reason}
                  onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
                />
              </label>
            )}
            <div class="row">
              {a.restricted ? (
                <button
                  type="button"
                  onClick={() => act(() => setRestriction(id, false, ''), t('admin.agent.lifted'))}
                >
                  {t('admin.agent.lift')}
                </button>
              ) : (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    act(() => setRestriction(id, true, reason.trim()), t('admin.agent.restrictedDone'))
                  }
                >
                  {t('admin.agent.restrict')}
                </button>
              )}
            </div>
            <small>{t('admin.agent.adminOnly')}</small>
          </section>
          <h2>{t('admin.lookup.tasks')}</h2>
          <RecentTasks tasks={a.recent_tasks} />
        </>
      )}
    </AdminLayout>
  )
}

/** An operator: KYC, rating, releases, earnings, tasks. */
export function OperatorPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const { value: o, error } = useLoad(() => getOperator(id), [id])
  return (
    <AdminLayout title={o?.name ?? t('admin.operator.title')}>
      <ErrorText message={error} />
      {o && (
        <>
          <p class="meta">
            <span>{o.email}</span>
            <span>{[o.location.city, o.location.country].filter(Boolean).join(', ')}</span>
            <code>{o.operator_id}</code>
            <Link href={`/admin/kyc/${o.operator_id}`}>
              {t('admin.operator.kyc', { status: t(`kyc.${o.kyc_status}` as MessageKey) })}
            </Link>
          </p>
          <dl class="balances panel">
            <div>
              <dt>{t('admin.operator.rating')}</dt>
              <dd>{o.rating.toFixed(1)}</dd>
            </div>
            <div>
              <dt>{t('admin.operator.releases')}</dt>
              <dd>{o.counts.releases}</dd>
            </div>
            <div>
              <dt>{t('earn.total')}</dt>
              <dd>{formatMoney(o.earnings.total_earned)}</dd>
            </div>
            <div>
              <dt>{t('earn.pending')}</dt>
              <dd>{formatMoney(o.earnings.pending_balance)}</dd>
            </div>
            <div>
              <dt>{t('earn.available')}</dt>
              <dd>{formatMoney(o.earnings.available_balance)}</dd>
            </div>
            <div>
              <dt>{t('admin.operator.completed')}</dt>
              <dd>{o.counts.completed}</dd>
            </div>
          </dl>
          <h2>{t('admin.lookup.tasks')}</h2>
          <RecentTasks tasks={o.recent_tasks} />
        </>
      )}
    </AdminLayout>
  )
}
