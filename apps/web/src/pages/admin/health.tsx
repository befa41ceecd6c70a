import { Fragment } from 'preact'
import { health } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatDate, useT } from '../../i18n/index.ts'
import { ChainPanel } from './health-chain.tsx'
import { AdminLayout } from './layout.tsx'
import { useLoad } from './load.ts'

function Counts(props: { title: string; counts: Record<string, number>; empty: string }) {
  const entries = Object.entries(props.counts)
  return (
    <section class="panel" aria-label={props.title}>
      <h2>{props.title}</h2>
      {entries.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <dl class="facts">
          {entries.map(([k, n]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd>{n}</dd>
            </Fragment>
          ))}
        </dl>
      )}
    </section>
  )
}

/** The ledger check, the chain, the job backlog, failing webhook endpoints and the Guardian's mix. */
export function HealthPage() {
  const t = useT()
  const { value: h, error, reload } = useLoad(health)
  return (
    <AdminLayout title={t('admin.health.title')}>
      <ErrorText message={error} />
      {!h && !error && <p aria-busy="true">{t('admin.health.checking')}</p>}
      {h && (
        <>
          <p class="hint">
            {t('admin.health.at', { when: formatDate(h.at) })}{' '}
            <button type="button" class="link" onClick={reload}>
              {t('admin.health.again')}
            </button>
          </p>
          <section class="panel" aria-labelledby="ledger-h">
            <h2 id="ledger-h">{t('admin.health.ledger')}</h2>
            <p class={h.ledger.ok ? 'ok' : 'bad'} data-testid="ledger">
              {h.ledger.ok
                ? t('admin.health.ledgerOk', { tx: h.ledger.transactions, accounts: h.ledger.accounts })
                : t('admin.health.ledgerBad', { n: h.ledger.problems.length })}
            </p>
            {h.ledger.problems.length > 0 && (
              <ul>
                {h.ledger.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </section>
          <ChainPanel chain={h.chain} waiting={h.payouts_waiting} />
          <Counts
            title={t('admin.health.jobsDue')}
            counts={h.jobs_due_by_kind}
            empty={t('admin.health.none')}
          />
          <Counts
            title={t('admin.health.jobsFailed')}
            counts={h.jobs_failed}
            empty={t('admin.health.none')}
          />
          <Counts
            title={t('admin.health.guardian')}
            counts={h.guardian_last_24h}
            empty={t('admin.health.none')}
          />
          <Counts title={t('admin.health.open')} counts={h.open_tasks} empty={t('admin.health.none')} />
          <section class="panel" aria-labelledby="hooks-h">
            <h2 id="hooks-h">{t('admin.health.webhooks')}</h2>
            {h.failing_webhook_endpoints.length === 0 ? (
              <p>{t('admin.health.none')}</p>
            ) : (
              <div class="scroll">
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">URL</th>
                      <th scope="col">{t('admin.col.agent')}</th>
                      <th scope="col">{t('admin.health.since')}</th>
                      <th scope="col">{t('admin.health.disabled')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {h.failing_webhook_endpoints.map((w) => (
                      <tr key={w.id}>
                        <td>{w.url}</td>
                        <td>
                          <code>{w.agent_id}</code>
                        </td>
                        <td>{w.failing_since ? formatDate(w.failing_since) : '—'}</td>
                        <td>
                          {w.disabled_at ? `${formatDate(w.disabled_at)} ${w.disabled_reason ?? ''}` : '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </AdminLayout>
  )
}
