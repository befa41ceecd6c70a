import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ErrorText } from './layout.tsx'

/**
 * The sign-in forms' shared part (operator, staff console, agent dashboard): the page's fields,
 * then the sentence of a failed submit, then the button, disabled while the submit runs. Each
 * page keeps its own fields, texts, action and error wording.
 */
export function SignInForm(props: {
  /** Signs in with the form's values (and goes on from there); a throw is shown as `describe` says. */
  onSubmit: (form: FormData) => Promise<void>
  describe: (err: unknown) => string
  submitLabel: string
  children: ComponentChildren
  /** Shown between the error and the button (the dashboard's "a link is on its way"). */
  status?: ComponentChildren
  /** For forms of one page that are busy together: the page's flag, instead of the form's own. */
  busy?: boolean
  onBusy?: (busy: boolean) => void
}) {
  const [error, setError] = useState<string | null>(null)
  const [ownBusy, setOwnBusy] = useState(false)
  const busy = props.busy ?? ownBusy
  const setBusy = props.onBusy ?? setOwnBusy
  const submit = async (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    setBusy(true)
    setError(null)
    try {
      await props.onSubmit(form)
    } catch (err) {
      setError(props.describe(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="stack" onSubmit={submit}>
      {props.children}
      <ErrorText message={error} />
      {props.status}
      <button type="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  )
}
