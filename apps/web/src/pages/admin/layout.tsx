import type { ComponentChildren } from 'preact'
import { logoutEverywhere, me, queueCounts, staff } from '../../api/admin.ts'
import { Layout } from '../../components/layout.tsx'
import type { MessageKey } from '../../i18n/en.ts'
import { useT } from '../../i18n/index.ts'
import { currentUrl, Link, navigate } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'

/** Set once signed in, cleared by an explicit sign-out: a later "signed out" means the session ended. */
export const seen = { session: false }

async function signOut(everywhere: boolean) {
  seen.session = false
  if (everywhere) await logoutEverywhere().catch(() => staff.forget())
  else await staff.signOut()
  me.set(null)
  navigate('/admin/login?out=1')
}

const QUEUES: [
  href: string,
  key: MessageKey,
  count: 'manual_review' | 'disputed' | 'kyc_pending' | 'payouts_stuck',
][] = [
  ['/admin/reviews', 'admin.nav.reviews', 'manual_review'],
  ['/admin/disputes', 'admin.nav.disputes', 'disputed'],
  ['/admin/kyc', 'admin.nav.kyc', 'kyc_pending'],
  ['/admin/payouts', 'admin.nav.payouts', 'payouts_stuck'],
]

function NavLink(props: { href: string; children: ComponentChildren }) {
  const path = useStore(currentUrl).split('?')[0]!
  const here = path === props.href || path.startsWith(`${props.href}/`)
  return (
    <Link href={props.href} current={here}>
      {props.children}
    </Link>
  )
}

/** The console's navigation: each queue with how many wait in it, lookup, audit, health, charts, the user. */
export function AdminNav() {
  const t = useT()
  const counts = useStore(queueCounts)
  const user = useStore(me)
  const state = useStore(staff.session)
  if (state !== 'signed-in') return null
  return (
    <nav aria-label={t('admin.nav.label')} class="nav">
      {QUEUES.map(([href, key, field]) => (
        <NavLink key={href} href={href}>
          {t(key)}
          {counts && (
            <>
              <span class="count" aria-hidden="true">
                {counts[field]}
              </span>
              <span class="visually-hidden"> {t('admin.nav.waiting', { n: counts[field] })}</span>
            </>
          )}
        </NavLink>
      ))}
      <NavLink href="/admin/search">{t('admin.nav.search')}</NavLink>
      <NavLink href="/admin/audit">{t('admin.nav.audit')}</NavLink>
      <NavLink href="/admin/health">{t('admin.nav.health')}</NavLink>
      <NavLink href="/admin/stats">{t('admin.nav.stats')}</NavLink>
      {user && (
        <span class="hint" data-testid="staff-user">
          {t('admin.nav.user', { email: user.email ?? user.id, role: t(`admin.role.${user.role}`) })}
        </span>
      )}
      <button type="button" class="link" onClick={() => signOut(false)}>
        {t('nav.signout')}
      </button>
      <button type="button" class="link" onClick={() => signOut(true)}>
        {t('admin.nav.signoutAll')}
      </button>
    </nav>
  )
}

/** Every console page: the shared layout with the console's navigation, wide on desktop. */
export function AdminLayout(props: { title: string; children: ComponentChildren }) {
  return (
    <Layout title={props.title} nav={<AdminNav />} home="/admin" wide>
      {props.children}
    </Layout>
  )
}
