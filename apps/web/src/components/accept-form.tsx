import { useState } from 'preact/hooks'
import { accept } from '../api/operator.ts'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { ErrorText } from './layout.tsx'

const num = (f: FormData, name: string) => Number(f.get(name) || 0)

/** Accept with an estimate (days / hours / minutes and a note). */
export function AcceptForm({ taskId, onAccepted }: { taskId: string; onAccepted: () => void }) {
  const t = useT()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget as HTMLFormElement)
    const body = {
      estimate_days: num(f, 'days'),
      estimate_hours: num(f, 'hours'),
      estimate_minutes: num(f, 'minutes'),
      ...(String(f.get('note') ?? '').trim() ? { estimate_note: String(f.get('note')).trim() } : {}),
    }
    if (body.estimate_days + body.estimate_hours + body.estimate_minutes === 0) {
      setError(t('est.zero'))
      return
    }
    setBusy(true)
    setError(null)
    try {
      await accept(taskId, body)
      onAccepted()
    } catch (err) {
      setError(describeError(err, { CONFLICT: 'err.taken', INVALID_STATE: 'err.taken' }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="panel stack" onSubmit={submit}>
      <fieldset>
        <legend>{t('task.estimate')}</legend>
        <div class="filters three">
          <label>
            {t('est.days')}
            <input name="days" type="number" min={0} max={90} inputMode="numeric" />
          </label>
          <label>
            {t('est.hours')}
            <input name="hours" type="number" min={0} max={23} inputMode="numeric" />
          </label>
          <label>
            {t('est.minutes')}
            <input name="minutes" type="number" min={0} max={59} inputMode="numeric" />
          </label>
        </div>
        <label>
          {t('est.note')}
          <textarea name="note" maxLength={2000} rows={2} />
        </label>
      </fieldset>
      <ErrorText message={error} />
      <button type="submit" disabled={busy}>
        {t('task.acceptSubmit')}
      </button>
    </form>
  )
}
