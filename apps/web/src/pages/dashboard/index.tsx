import { useEffect } from 'preact/hooks'
import { agentSession, refreshAgent } from '../../api/dashboard.ts'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { currentUrl, Link, navigate, type Route, Router } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'
import { AccountPage } from './account.tsx'
import { KeysPage } from './keys.tsx'
import { DashLayout } from './layout.tsx'
import { DashLoginPage } from './login.tsx'
import { DashTaskPage } from './task.tsx'
import { DashTasksPage } from './tasks.tsx'
import { WalletPage } from './wallet.tsx'
import { WebhookPage } from './webhook.tsx'
import { WebhooksPage } from './webhooks.tsx'

const LOGIN = '/dashboard/login'

const ROUTES: Route[] = [
  ['/dashboard', AccountPage],
  ['/dashboard/tasks', DashTasksPage],
  ['/dashboard/tasks/:id', DashTaskPage],
  ['/dashboard/keys', KeysPage],
  ['/dashboard/webhooks', WebhooksPage],
  ['/dashboard/webhooks/:id', WebhookPage],
  ['/dashboard/wallet', WalletPage],
]

function DashNotFound() {
  const t = useT()
  return (
    <DashLayout title={t('dash.notFound')}>
      <p>
        <Link href="/dashboard">{t('dash.nav.account')}</Link>
      </p>
    </DashLayout>
  )
}

/**
 * The agent dashboard (`/dashboard/*`): its own session (kind `agent`), separate from the operator
 * app's. Until the session is known a loading page; signed out, the sign-in page.
 */
export function DashboardApp() {
  const t = useT()
  const state = useStore(agentSession)
  const url = useStore(currentUrl)
  const path = url.split('?')[0]!
  const isLogin = path === LOGIN
  useEffect(() => {
    if (state === 'unknown') void refreshAgent().then((ok) => ok || agentSession.set('signed-out'))
  }, [state])
  useEffect(() => {
    if (state === 'signed-out' && !isLogin) {
      navigate(`${LOGIN}?next=${encodeURIComponent(url)}`, { replace: true })
    }
  }, [state, isLogin, url])
  if (isLogin && state !== 'unknown') return <DashLoginPage />
  if (state !== 'signed-in') {
    return (
      <DashLayout title={t('dash.brand')}>
        <p aria-busy="true">{t('common.loading')}</p>
      </DashLayout>
    )
  }
  return <Router routes={ROUTES} fallback={DashNotFound} />
}
