import { useEffect, useState } from 'preact/hooks'
import { formatRelative } from '../i18n/index.ts'

/** "in 59 minutes", re-rendered every second, with the exact time as its machine-readable value. */
export function Countdown({ to }: { to: string }) {
  const [, setNow] = useState(Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(id)
  }, [])
  return <time dateTime={to}>{formatRelative(to)}</time>
}
