import type { ComponentChildren, FunctionComponent } from 'preact'
import { createStore, useStore } from './store.ts'

/**
 * A small history router: paths such as `/tasks/:id`, matched in order. The server answers every
 * app path with the same page (ADR 0015), so a reload or a shared link lands on the right screen.
 */
const here = () => location.pathname + location.search
export const currentUrl = createStore(here())
addEventListener('popstate', () => currentUrl.set(here()))

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === here()) return
  history[opts.replace ? 'replaceState' : 'pushState'](null, '', to)
  currentUrl.set(here())
  scrollTo(0, 0)
}

export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/')
  const b = path.split('/')
  if (a.length !== b.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(b[i]!)
    else if (p !== b[i]) return null
  }
  return params
}

export type Route = [pattern: string, page: FunctionComponent<{ params: Record<string, string> }>]

export function Router({ routes, fallback }: { routes: Route[]; fallback: FunctionComponent }) {
  const url = useStore(currentUrl)
  const path = url.split('?')[0]!
  for (const [pattern, Page] of routes) {
    const params = matchPath(pattern, path)
    if (params) return <Page params={params} />
  }
  const Fallback = fallback
  return <Fallback />
}

/** The query string of the current URL. */
export function useQuery(): URLSearchParams {
  const url = useStore(currentUrl)
  return new URLSearchParams(url.split('?')[1] ?? '')
}

export function Link(props: {
  href: string
  class?: string
  current?: boolean
  children: ComponentChildren
}) {
  const onClick = (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(props.href)
  }
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={onClick}
    >
      {props.children}
    </a>
  )
}
