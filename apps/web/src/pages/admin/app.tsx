import type { FunctionComponent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { loadMe, loadQueues, staff } from '../../api/admin.ts'
import { useT } from '../../i18n/index.ts'
import { currentUrl, Link, navigate, type Route, Router } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'
import { AuditPage } from './audit.tsx'
import { HealthPage } from './health.tsx'
import { KycDetailPage, KycQueuePage } from './kyc.tsx'
import { AdminLayout, seen } from './layout.tsx'
import { StaffLoginPage } from './login.tsx'
import { AgentPage, OperatorPage, SearchPage } from './lookup.tsx'
import { PayoutsPage } from './payouts.tsx'
import { DisputesPage, ReviewsPage } from './queues.tsx'
import { SetupPage } from './setup.tsx'
import { TaskReviewPage } from './task.tsx'

/** Console pages anyone may open: the set-up link and the sign-in. */
const PUBLIC = new Set(['/admin/setup', '/admin/login'])

const ROUTES: Route[] = [
  ['/admin', () => <Redirect to="/admin/reviews" />],
  ['/admin/setup', SetupPage],
  ['/admin/login', StaffLoginPage],
  ['/admin/reviews', ReviewsPage],
  ['/admin/disputes', DisputesPage],
  ['/admin/tasks/:id', TaskReviewPage],
  ['/admin/kyc', KycQueuePage],
  ['/admin/kyc/:id', KycDetailPage],
  ['/admin/payouts', PayoutsPage],
  ['/admin/search', SearchPage],
  ['/admin/agents/:id', AgentPage],
  ['/admin/operators/:id', OperatorPage],
  ['/admin/audit', AuditPage],
  ['/admin/health', HealthPage],
  ['/admin/stats', LazyStatsPage],
]

/**
 * The charts page with its chart library, loaded when first opened: uPlot and its stylesheet are
 * a chunk of this build (served by humcli like every other file), not part of what an operator's
 * phone downloads.
 */
function LazyStatsPage() {
  const t = useT()
  const [Page, setPage] = useState<FunctionComponent | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./stats.tsx').then(
      (m) => setPage(() => m.StatsPage),
      () => setFailed(true),
    )
  }, [])
  if (Page) return <Page />
  return (
    <AdminLayout title={t('admin.stats.title')}>
      {failed ? (
        <p class="error" role="alert">
          {t('admin.stats.loadFailed')}
        </p>
      ) : (
        <p aria-busy="true">{t('common.loading')}</p>
      )}
    </AdminLayout>
  )
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to])
  return null
}

function NotFound() {
  const t = useT()
  return (
    <AdminLayout title={t('admin.notFound')}>
      <p>
        <Link href="/admin/reviews">{t('admin.nav.reviews')}</Link>
      </p>
    </AdminLayout>
  )
}

/**
 * The console's gate: the staff session is refreshed once at start; signed out on a private
 * page, the staff sign-in (which says who the console is for), never a blank screen.
 */
export function AdminApp() {
  const t = useT()
  const state = useStore(staff.session)
  const url = useStore(currentUrl)
  const path = url.split('?')[0]!
  const isPublic = PUBLIC.has(path)
  // The counts in the navigation: again on every page change, and every 30 s while signed in.
  useEffect(() => {
    if (state !== 'signed-in') return
    void loadQueues().catch(() => {})
    const timer = setInterval(() => void loadQueues().catch(() => {}), 30_000)
    return () => clearInterval(timer)
  }, [state, path])
  useEffect(() => {
    if (state === 'unknown') void staff.refresh().then((ok) => ok || staff.session.set('signed-out'))
    if (state === 'signed-in') {
      seen.session = true
      void loadMe().catch(() => {})
    }
  }, [state])
  useEffect(() => {
    // The address now, not the one this render saw: a sign-out may have moved on already.
    const now = currentUrl.get()
    if (state === 'signed-out' && !PUBLIC.has(now.split('?')[0]!)) {
      const ended = seen.session ? '&expired=1' : ''
      seen.session = false
      navigate(`/admin/login?next=${encodeURIComponent(now)}${ended}`, { replace: true })
    }
  }, [state, isPublic, url])
  if (state === 'unknown' || (state === 'signed-out' && !isPublic)) {
    return (
      <AdminLayout title={t('admin.title')}>
        <p aria-busy="true">{t('common.loading')}</p>
      </AdminLayout>
    )
  }
  return <Router routes={ROUTES} fallback={NotFound} />
}
