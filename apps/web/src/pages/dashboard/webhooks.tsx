import type { CreateWebhookBody, WebhookEndpoint } from '@humcli/contract'
import { EVENT_TYPES } from '@humcli/contract/enums'
import { useState } from 'preact/hooks'
import { createWebhook, webhooks } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate } from '../../i18n/index.ts'
import { Link } from '../../lib/router.tsx'
import { CopyButton, DashLayout, dashError, useLoad } from './layout.tsx'

type Events = CreateWebhookBody['events']

/** Webhook endpoints: the list, and a new one (its signing secret is shown once). */
export function WebhooksPage() {
  const t = useT()
  const list = useLoad(webhooks)
  const [all, setAll] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<WebhookEndpoint | null>(null)

  const create = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const events = (all ? ['*'] : data.getAll('events').map(String)) as Events
    if (events.length === 0) {
      setError(t('dash.hooks.noEvents'))
      return
    }
    const description = String(data.get('description') ?? '').trim()
    setBusy(true)
    setError(null)
    try {
      setCreated(
        await createWebhook({
          url: String(data.get('url')).trim(),
          events,
          ...(description ? { description } : {}),
        }),
      )
      form.reset()
      setAll(true)
      await list.reload()
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <DashLayout title={t('dash.hooks.title')}>
      <ErrorText message={list.error} />
      {list.data && list.data.data.length === 0 && <p>{t('dash.hooks.empty')}</p>}
      <ul class="cards">
        {list.data?.data.map((w) => (
          <li key={w.id} class="card">
            <Link href={`/dashboard/webhooks/${encodeURIComponent(w.id)}`}>
              <h2 class="url">{w.url}</h2>
            </Link>
            <p class="meta">
              <span class={w.status === 'ENABLED' ? 'tag' : 'tag bad'}>
                {t(w.status === 'ENABLED' ? 'dash.hooks.enabled' : 'dash.hooks.disabled')}
              </span>
              <span>{w.events.includes('*') ? t('dash.hooks.everything') : w.events.join(', ')}</span>
              <span>{formatDate(w.created_at)}</span>
            </p>
            {w.description && <p>{w.description}</p>}
            {w.disabled_reason && <p class="error">{w.disabled_reason}</p>}
          </li>
        ))}
      </ul>
      <section class="panel" aria-labelledby="new-hook">
        <h2 id="new-hook">{t('dash.hooks.create')}</h2>
        <form class="stack" onSubmit={create}>
          <label>
            {t('dash.hooks.url')}
            <input
              name="url"
              type="url"
              required
              maxLength={2048}
              placeholder="https://example.com/humcli"
              aria-describedby="url-hint"
            />
          </label>
          <p class="hint" id="url-hint">
            {t('dash.hooks.urlHint')}
          </p>
          <fieldset>
            <legend>{t('dash.hooks.events')}</legend>
            <label class="chip">
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
              {t('dash.hooks.allEvents')}
            </label>
            {!all && (
              <div class="chips">
                {EVENT_TYPES.map((ev) => (
                  <label key={ev} class="chip">
                    <input type="checkbox" name="events" value={ev} />
                    <code>{ev}</code>
                  </label>
                ))}
              </div>
            )}
          </fieldset>
          <label>
            {t('dash.hooks.description')}
            <input name="description" maxLength={500} />
          </label>
          <ErrorText message={error} />
          <button type="submit" disabled={busy}>
            {t('dash.hooks.createSubmit')}
          </button>
        </form>
        {created?.secret && (
          <div class="secret" role="status">
            <p>
              <strong>{t('dash.hooks.secretOnce')}</strong>
            </p>
            <code>{created.secret}</code>
            <CopyButton text={created.secret} label={t('dash.hooks.copySecret')} />
          </div>
        )}
      </section>
    </DashLayout>
  )
}
