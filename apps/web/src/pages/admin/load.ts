import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api/client.ts'
import { describeError } from '../../lib/errors.ts'

/**
 * One sentence for a failed console call. A refusal (403: the role) and a conflict (409: e.g.
 * "already decided by X at T") are shown as the server words them; the rest as the app does.
 */
export function staffError(err: unknown): string {
  if (err instanceof ApiError && (err.status === 403 || err.status === 409)) return err.message
  return describeError(err)
}

/** Loads `fn` when `deps` change: the value, a sentence when it failed, and a reload. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [value, setValue] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reload = useCallback(async () => {
    try {
      setValue(await fn())
      setError(null)
    } catch (err) {
      setError(staffError(err))
    }
  }, deps)
  useEffect(() => {
    setValue(null)
    void reload()
  }, [reload])
  return { value, error, reload }
}
