import type { FunctionComponent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { refresh, session } from './api/client.ts'
import { Layout } from './components/layout.tsx'
import { useT } from './i18n/index.ts'
import { currentUrl, navigate, type Route, Router } from './lib/router.tsx'
import { useStore } from './lib/store.ts'
import { AdminApp } from './pages/admin/app.tsx'
import { EarningsPage } from './pages/earnings.tsx'
import { KycPage } from './pages/kyc.tsx'
import { LoginPage } from './pages/login.tsx'
import { MinePage } from './pages/mine.tsx'
import { ProfilePage } from './pages/profile.tsx'
import { SignupPage } from './pages/signup.tsx'
import { TaskPage } from './pages/task.tsx'
import { TasksPage } from './pages/tasks.tsx'

/** Pages anyone may open; every other page needs a session. */
const PUBLIC = new Set(['/login', '/signup'])

const ROUTES: Route[] = [
  ['/', () => <Redirect to="/tasks" />],
  ['/login', LoginPage],
  ['/signup', SignupPage],
  ['/tasks', TasksPage],
  ['/tasks/:id', TaskPage],
  ['/kyc', KycPage],
  ['/mine', MinePage],
  ['/earnings', EarningsPage],
  ['/profile', ProfilePage],
]

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to])
  return null
}

function NotFound() {
  const t = useT()
  return (
    <Layout title={t('err.notFound')}>
      <p>
        <a href="/tasks">{t('nav.tasks')}</a>
      </p>
    </Layout>
  )
}

/** Until the session is known, a quiet loading page; signed out on a private page, the login. */
function Gate({ children }: { children: FunctionComponent }) {
  const t = useT()
  const state = useStore(session)
  const url = useStore(currentUrl)
  const path = url.split('?')[0]!
  useEffect(() => {
    if (state !== 'unknown') return
    // Server unreachable at start: the banner says so, and the session is asked again shortly.
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = () =>
      void refresh().then(
        (ok) => ok || session.set('signed-out'),
        () => {
          timer = setTimeout(ask, 5000)
        },
      )
    ask()
    return () => clearTimeout(timer)
  }, [state])
  useEffect(() => {
    if (state === 'signed-out' && !PUBLIC.has(path)) {
      navigate(`/login?next=${encodeURIComponent(url)}`, { replace: true })
    }
  }, [state, path, url])
  if (state === 'unknown' || (state === 'signed-out' && !PUBLIC.has(path))) {
    return (
      <Layout title={t('app.name')}>
        <p aria-busy="true">{t('common.loading')}</p>
      </Layout>
    )
  }
  const Page = children
  return <Page />
}

/** The agent dashboard, loaded on first visit: operators' phones never download it. */
let dashboard: FunctionComponent | null = null
function Dashboard() {
  const t = useT()
  const [failed, setFailed] = useState(false)
  const [, setLoaded] = useState(false)
  useEffect(() => {
    if (dashboard) return
    import('./pages/dashboard/index.tsx')
      .then((m) => {
        dashboard = m.DashboardApp
        setLoaded(true)
      })
      .catch(() => setFailed(true))
  }, [])
  if (dashboard) {
    const Page = dashboard
    return <Page />
  }
  return (
    <main id="main">
      {failed ? (
        <p class="error" role="alert">
          {t('err.unreachable')}
        </p>
      ) : (
        <p aria-busy="true">{t('common.loading')}</p>
      )}
    </main>
  )
}

export function App() {
  const path = useStore(currentUrl).split('?')[0]!
  // The staff console has its own session, gate and navigation (pages/admin/).
  if (path === '/admin' || path.startsWith('/admin/')) return <AdminApp />
  // The agent dashboard too (pages/dashboard/), loaded on first visit.
  if (path === '/dashboard' || path.startsWith('/dashboard/')) return <Dashboard />
  return <Gate>{() => <Router routes={ROUTES} fallback={NotFound} />}</Gate>
}
