import type { NewApiKey } from '@humcli/contract'
import { useState } from 'preact/hooks'
import { createKey, keys, revokeKey } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate } from '../../i18n/index.ts'
import { CopyButton, DashLayout, dashError, useLoad } from './layout.tsx'

/** API keys: create (the key is shown this once, with a copy button), list by prefix, revoke. */
export function KeysPage() {
  const t = useT()
  const list = useLoad(keys)
  const [created, setCreated] = useState<NewApiKey | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [asking, setAsking] = useState<string | null>(null)
  const [revoked, setRevoked] = useState<string | null>(null)

  const create = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const name = String(new FormData(form).get('name')).trim()
    setBusy(true)
    setError(null)
    setRevoked(null)
    try {
      setCreated(await createKey(name))
      form.reset()
      await list.reload()
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const revoke = async (id: string, name: string) => {
    setBusy(true)
    setError(null)
    setAsking(null)
    try {
      await revokeKey(id)
      if (created?.id === id) setCreated(null)
      // The list first: the page never says "revoked" while it still lists the key.
      await list.reload()
      setRevoked(t('dash.keys.revokedDone', { name }))
    } catch (err) {
      setError(dashError(err, { CONFLICT: 'dash.keys.lastKey' }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <DashLayout title={t('dash.keys.title')}>
      <section class="panel" aria-labelledby="new-key">
        <h2 id="new-key">{t('dash.keys.create')}</h2>
        <form class="inline-form" onSubmit={create}>
          <label>
            {t('dash.keys.name')}
            <input name="name" required maxLength={100} placeholder={t('dash.keys.namePlaceholder')} />
          </label>
          <button type="submit" disabled={busy}>
            {t('dash.keys.createSubmit')}
          </button>
        </form>
        {created && (
          <div class="secret" role="status">
            <p>
              <strong>{t('dash.keys.shownOnce', { name: created.name })}</strong>
            </p>
            <code data-testid="new-key">{created.key}</code>
            <CopyButton text={created.key} label={t('dash.keys.copy')} />
          </div>
        )}
      </section>
      <ErrorText message={error ?? list.error} />
      {revoked && (
        <p class="ok" role="status">
          {revoked}
        </p>
      )}
      <h2>{t('dash.keys.live')}</h2>
      <ul class="cards">
        {list.data?.data.map((k) => (
          <li key={k.id} class="card">
            <div class="row-main">
              <h3>{k.name}</h3>
              <code>{k.key_prefix}</code>
            </div>
            <p class="meta">
              <span>{t('dash.keys.createdAt', { when: formatDate(k.created_at) })}</span>
              <span>
                {k.last_used_at
                  ? t('dash.keys.lastUsed', { when: formatDate(k.last_used_at) })
                  : t('dash.keys.neverUsed')}
              </span>
            </p>
            {asking === k.id ? (
              <div class="confirm">
                <p>{t('dash.keys.revokeQuestion', { name: k.name })}</p>
                <button type="button" class="danger" disabled={busy} onClick={() => revoke(k.id, k.name)}>
                  {t('dash.keys.revokeConfirm')}
                </button>
                <button type="button" class="secondary" onClick={() => setAsking(null)}>
                  {t('dash.keep')}
                </button>
              </div>
            ) : (
              <button
                type="button"
                class="secondary"
                aria-label={t('dash.keys.revokeNamed', { name: k.name })}
                onClick={() => setAsking(k.id)}
              >
                {t('dash.keys.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </DashLayout>
  )
}
