import { useEffect } from 'preact/hooks'

/**
 * Calls `tick` while `active`, waiting 2 s, then 1.5× longer each time up to 30 s (ADR 0015:
 * polling with backoff rather than a server push). A change the tick reports resets the delay.
 */
export function usePoll(active: boolean, tick: () => Promise<boolean>, deps: unknown[] = []): void {
  useEffect(() => {
    if (!active) return
    let delay = 2000
    let timer: ReturnType<typeof setTimeout> | undefined
    let stopped = false
    const run = async () => {
      const changed = await tick().catch(() => false)
      if (stopped) return
      delay = changed ? 2000 : Math.min(delay * 1.5, 30_000)
      timer = setTimeout(run, delay)
    }
    timer = setTimeout(run, delay)
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [active, ...deps])
}
