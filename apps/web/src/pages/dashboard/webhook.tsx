import type { WebhookDelivery } from '@humcli/contract'
import { useState } from 'preact/hooks'
import { deleteWebhook, deliveries, ping, redeliver, rotateSecret, webhooks } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate } from '../../i18n/index.ts'
import { usePoll } from '../../lib/poll.ts'
import { Link, navigate } from '../../lib/router.tsx'
import { CopyButton, DashLayout, dashError, useLoad } from './layout.tsx'

const PAGE = 20

function Delivery(props: { d: WebhookDelivery; busy: boolean; onRedeliver: () => void }) {
  const t = useT()
  const { d } = props
  const statusClass = d.status === 'SUCCEEDED' ? 'tag' : d.status === 'FAILED' ? 'tag bad' : 'tag warn'
  return (
    <li class="card">
      <div class="row-main">
        <code>{d.event_type}</code>
        <span class={statusClass}>{t(`dash.delivery.${d.status}`)}</span>
      </div>
      <p class="meta">
        <span>{formatDate(d.created_at)}</span>
        <span>{t('dash.delivery.attempts', { n: d.attempts })}</span>
        {d.response.status !== null && <span>{t('dash.delivery.http', { status: d.response.status })}</span>}
        {d.response.duration_ms !== null && <span>{d.response.duration_ms} ms</span>}
        {d.next_attempt_at && d.status === 'PENDING' && (
          <span>{t('dash.delivery.next', { when: formatDate(d.next_attempt_at) })}</span>
        )}
      </p>
      {d.error && <p class="error">{d.error}</p>}
      <details>
        <summary>{t('dash.delivery.show')}</summary>
        <h3>{t('dash.delivery.request')}</h3>
        <pre>{d.request.body}</pre>
        {d.response.body !== null && (
          <>
            <h3>{t('dash.delivery.response')}</h3>
            <pre>{d.response.body}</pre>
          </>
        )}
      </details>
      <button type="button" class="secondary" disabled={props.busy} onClick={props.onRedeliver}>
        {t('dash.delivery.redeliver')}
      </button>
    </li>
  )
}

/** One endpoint: test ping, delete, and its delivery log with redeliver. */
export function WebhookPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const [offset, setOffset] = useState(0)
  const endpoint = useLoad(async () => {
    const found = (await webhooks()).data.find((w) => w.id === id)
    if (!found) throw new Error(t('dash.hooks.notFound'))
    return found
  }, [id])
  const log = useLoad(() => deliveries(id, { limit: PAGE, offset }), [id, offset])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [asking, setAsking] = useState<'delete' | 'rotate' | null>(null)
  const [secret, setSecret] = useState<string | null>(null)
  const pending = log.data?.data.some((d) => d.status === 'PENDING') ?? false
  const shape = (page: typeof log.data) =>
    JSON.stringify(page?.data.map((d) => [d.id, d.status, d.attempts]) ?? [])
  const seen = shape(log.data)
  usePoll(pending, async () => {
    const next = await deliveries(id, { limit: PAGE, offset })
    const changed = shape(next) !== seen
    if (changed) log.set(next)
    return changed
  }, [id, offset, seen])
  const act = async (fn: () => Promise<unknown>, message: string) => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      await fn()
      setDone(message)
      await log.reload()
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const rotate = async () => {
    setAsking(null)
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      setSecret((await rotateSecret(id)).secret ?? null)
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const remove = async () => {
    setBusy(true)
    try {
      await deleteWebhook(id)
      navigate('/dashboard/webhooks')
    } catch (err) {
      setError(dashError(err))
      setBusy(false)
    }
  }
  const w = endpoint.data
  const total = log.data?.pagination.total ?? 0
  return (
    <DashLayout title={t('dash.hook.title')}>
      <p>
        <Link href="/dashboard/webhooks">← {t('dash.hooks.title')}</Link>
      </p>
      <ErrorText message={endpoint.error} />
      {w && (
        <section class="panel" aria-labelledby="endpoint">
          <h2 id="endpoint" class="url">
            {w.url}
          </h2>
          <p class="meta">
            <span class={w.status === 'ENABLED' ? 'tag' : 'tag bad'}>
              {t(w.status === 'ENABLED' ? 'dash.hooks.enabled' : 'dash.hooks.disabled')}
            </span>
            <span>{w.events.includes('*') ? t('dash.hooks.everything') : w.events.join(', ')}</span>
            {w.failing_since && (
              <span class="error">{t('dash.hook.failingSince', { when: formatDate(w.failing_since) })}</span>
            )}
          </p>
          {w.description && <p>{w.description}</p>}
          {w.disabled_reason && <p class="error">{w.disabled_reason}</p>}
          <div class="row-actions">
            <button type="button" disabled={busy} onClick={() => act(() => ping(id), t('dash.hook.pinged'))}>
              {t('dash.hook.ping')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => void log.reload()}>
              {t('dash.refresh')}
            </button>
            {asking === null && (
              <>
                <button type="button" class="secondary" onClick={() => setAsking('rotate')}>
                  {t('dash.hook.rotate')}
                </button>
                <button type="button" class="secondary" onClick={() => setAsking('delete')}>
                  {t('dash.hook.delete')}
                </button>
              </>
            )}
          </div>
          {asking && (
            <div class="confirm">
              <p>{t(asking === 'delete' ? 'dash.hook.deleteQuestion' : 'dash.hook.rotateQuestion')}</p>
              <button
                type="button"
                class={asking === 'delete' ? 'danger' : ''}
                disabled={busy}
                onClick={asking === 'delete' ? remove : rotate}
              >
                {t(asking === 'delete' ? 'dash.hook.deleteConfirm' : 'dash.hook.rotateConfirm')}
              </button>
              <button type="button" class="secondary" onClick={() => setAsking(null)}>
                {t('dash.keep')}
              </button>
            </div>
          )}
          {secret && (
            <div class="secret" role="status">
              <p>
                <strong>{t('dash.hook.rotated')}</strong>
              </p>
              <code>{secret}</code>
              <CopyButton text={secret} label={t('dash.hooks.copySecret')} />
            </div>
          )}
          <ErrorText message={error} />
          {done && (
            <p class="ok" role="status">
              {done}
            </p>
          )}
        </section>
      )}
      <h2>{t('dash.hook.deliveries')}</h2>
      <ErrorText message={log.error} />
      {log.data && log.data.data.length === 0 && <p>{t('dash.hook.noDeliveries')}</p>}
      <ul class="cards">
        {log.data?.data.map((d) => (
          <Delivery
            key={d.id}
            d={d}
            busy={busy}
            onRedeliver={() => act(() => redeliver(d.id), t('dash.delivery.redelivered'))}
          />
        ))}
      </ul>
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
    </DashLayout>
  )
}
