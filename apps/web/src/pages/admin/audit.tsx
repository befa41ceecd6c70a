import { useState } from 'preact/hooks'
import { type AuditFilter, audit, downloadAuditCsv } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatDate, useT } from '../../i18n/index.ts'
import { navigate, useQuery } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { staffError, useLoad } from './load.ts'

const show = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v))

/** The audit log, newest first: every staff action with who, what, which object, before → after. */
export function AuditPage() {
  const t = useT()
  const q = useQuery()
  const filter: AuditFilter = {
    actor: q.get('actor') ?? undefined,
    action: q.get('action') ?? undefined,
    object_id: q.get('object_id') ?? undefined,
  }
  const offset = Number(q.get('offset') ?? 0) || 0
  const key = `${filter.actor}|${filter.action}|${filter.object_id}|${offset}`
  const { value, error } = useLoad(() => audit(filter, offset), [key])
  const [csvError, setCsvError] = useState<string | null>(null)
  const go = (f: AuditFilter, off = 0) => {
    const p = new URLSearchParams()
    for (const [k, v] of Object.entries(f)) if (v) p.set(k, v)
    if (off) p.set('offset', String(off))
    navigate(`/admin/audit${p.size ? `?${p}` : ''}`)
  }
  const submit = (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    go({
      actor: String(form.get('actor')).trim(),
      action: String(form.get('action')).trim(),
      object_id: String(form.get('object_id')).trim(),
    })
  }
  const csv = async () => {
    setCsvError(null)
    await downloadAuditCsv(filter).catch((err) => setCsvError(staffError(err)))
  }
  const total = value?.pagination.total ?? 0
  return (
    <AdminLayout title={t('admin.audit.title')}>
      <form class="filters" onSubmit={submit} aria-label={t('admin.audit.filter')}>
        <label>
          {t('admin.audit.actor')}
          <input name="actor" value={filter.actor ?? ''} placeholder="admin:stf_…" />
        </label>
        <label>
          {t('admin.audit.action')}
          <input name="action" value={filter.action ?? ''} placeholder="task." />
        </label>
        <label>
          {t('admin.audit.object')}
          <input name="object_id" value={filter.object_id ?? ''} />
        </label>
        <div class="row">
          <button type="submit">{t('admin.audit.apply')}</button>
          <button type="button" class="secondary" onClick={csv}>
            {t('admin.audit.csv')}
          </button>
        </div>
      </form>
      <ErrorText message={error ?? csvError} />
      {value && <p class="hint">{t('admin.audit.count', { n: total })}</p>}
      {value && (
        <div class="scroll">
          <table class="table" data-testid="audit">
            <caption class="visually-hidden">{t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.at')}</th>
                <th scope="col">{t('admin.col.actor')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.object')}</th>
                <th scope="col">{t('admin.audit.change')}</th>
                <th scope="col">{t('admin.audit.note')}</th>
              </tr>
            </thead>
            <tbody>
              {value.data.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.at)}</td>
                  <td>
                    {e.actor_email ?? e.actor}
                    {e.actor_email && <small> ({e.actor})</small>}
                  </td>
                  <td>{e.action}</td>
                  <td>
                    {e.object_type} <code>{e.object_id}</code>
                  </td>
                  <td>
                    <code>{show(e.before)}</code> → <code>{show(e.after)}</code>
                  </td>
                  <td>{e.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {value && total > 50 && (
        <div class="pager">
          <button
            type="button"
            class="secondary"
            disabled={offset === 0}
            onClick={() => go(filter, Math.max(0, offset - 50))}
          >
            {t('admin.audit.newer')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={offset + 50 >= total}
            onClick={() => go(filter, offset + 50)}
          >
            {t('admin.audit.older')}
          </button>
        </div>
      )}
    </AdminLayout>
  )
}
