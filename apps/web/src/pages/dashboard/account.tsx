import { useState } from 'preact/hooks'
import { ledger, me } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate, formatMoney } from '../../i18n/index.ts'
import { Link } from '../../lib/router.tsx'
import { DashLayout, useLoad } from './layout.tsx'

const PAGE = 20

function Meter(props: { label: string; used: number; max: number; text: string }) {
  return (
    <div class="meter">
      <span>{props.label}</span>
      <meter min={0} max={props.max} value={Math.min(props.used, props.max)} aria-label={props.label} />
      <span>{props.text}</span>
    </div>
  )
}

function Ledger() {
  const t = useT()
  const [offset, setOffset] = useState(0)
  const page = useLoad(() => ledger({ limit: PAGE, offset }), [offset])
  const total = page.data?.pagination.total ?? 0
  return (
    <section class="panel" aria-labelledby="ledger">
      <h2 id="ledger">{t('dash.ledger.title')}</h2>
      <ErrorText message={page.error} />
      {page.data && page.data.data.length === 0 && <p>{t('dash.ledger.empty')}</p>}
      {page.data && page.data.data.length > 0 && (
        <ul class="rows">
          {page.data.data.map((line) => (
            <li key={line.id}>
              <span class="row-main">
                <span>{line.kind}</span>
                <strong class={line.amount_usd < 0 ? 'neg' : 'pos'}>
                  {line.amount_usd > 0 ? '+' : ''}
                  {formatMoney(line.amount_usd)}
                </strong>
              </span>
              <span class="meta">
                <span>{formatDate(line.created_at)}</span>
                <span class="tag">{t(line.account === 'deposit' ? 'dash.deposit' : 'dash.escrow')}</span>
                {line.task_id && (
                  <Link href={`/dashboard/tasks/${encodeURIComponent(line.task_id)}`}>{line.task_id}</Link>
                )}
                {line.memo && <span>{line.memo}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {total > PAGE && (
        <div class="pager">
          <button
            type="button"
            class="secondary"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            {t('page.prev')}
          </button>
          <span>{t('page.of', { page: offset / PAGE + 1, pages: Math.ceil(total / PAGE) })}</span>
          <button
            type="button"
            class="secondary"
            disabled={offset + PAGE >= total}
            onClick={() => setOffset(offset + PAGE)}
          >
            {t('page.next')}
          </button>
        </div>
      )}
    </section>
  )
}

/** The account: who, tier, limits and today's usage, balances, ledger lines. */
export function AccountPage() {
  const t = useT()
  const profile = useLoad(me)
  const p = profile.data
  return (
    <DashLayout title={t('dash.account.title')}>
      <ErrorText message={profile.error} />
      {!p && !profile.error && <p aria-busy="true">{t('common.loading')}</p>}
      {p && (
        <>
          {p.restricted && (
            <p class="banner" role="alert">
              {t('dash.account.restricted', { reason: p.restricted_reason ?? '' })}
            </p>
          )}
          {p.tier === 'SANDBOX' && <p class="notice">{t('dash.account.sandbox')}</p>}
          <div class="grid2">
            <section class="panel" aria-labelledby="who">
              <h2 id="who">{p.name}</h2>
              <dl class="facts">
                <dt>{t('dash.account.id')}</dt>
                <dd>
                  <code>{p.agent_id}</code>
                </dd>
                <dt>{t('auth.email')}</dt>
                <dd>
                  {p.email}{' '}
                  <span class="tag">
                    {t(p.email_verified ? 'dash.account.verified' : 'dash.account.unverified')}
                  </span>
                </dd>
                {p.company && (
                  <>
                    <dt>{t('dash.account.company')}</dt>
                    <dd>{p.company}</dd>
                  </>
                )}
                <dt>{t('dash.account.tier')}</dt>
                <dd>
                  <span class="tag">{p.tier}</span>
                </dd>
                <dt>{t('dash.account.since')}</dt>
                <dd>{formatDate(p.created_at)}</dd>
              </dl>
            </section>
            <section class="panel" aria-labelledby="limits">
              <h2 id="limits">{t('dash.account.limits')}</h2>
              <Meter
                label={t('dash.account.tasksToday')}
                used={p.usage_today.tasks}
                max={p.limits.maxDailyTasks}
                text={t('dash.account.ofCount', {
                  used: p.usage_today.tasks,
                  max: p.limits.maxDailyTasks,
                })}
              />
              <Meter
                label={t('dash.account.spendToday')}
                used={p.usage_today.spend_usd}
                max={p.limits.maxDailySpend}
                text={t('dash.account.ofCount', {
                  used: formatMoney(p.usage_today.spend_usd),
                  max: formatMoney(p.limits.maxDailySpend),
                })}
              />
              <p class="hint">{t('dash.account.maxTask', { amount: formatMoney(p.limits.maxTaskValue) })}</p>
            </section>
          </div>
          <section class="panel" aria-labelledby="balances">
            <h2 id="balances">{t('dash.account.balances')}</h2>
            <dl class="balances">
              <div>
                <dt>{t('dash.deposit')}</dt>
                <dd>{formatMoney(p.balance.deposit_balance)}</dd>
              </div>
              <div>
                <dt>{t('dash.escrow')}</dt>
                <dd>{formatMoney(p.balance.escrow_balance)}</dd>
              </div>
            </dl>
            <p class="hint">
              {t('dash.account.depositHint')} <Link href="/dashboard/wallet">{t('dash.nav.wallet')}</Link>
            </p>
          </section>
          <Ledger />
        </>
      )}
    </DashLayout>
  )
}
