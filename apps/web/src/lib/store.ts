import { useEffect, useState } from 'preact/hooks'

/** A value that components can watch: the app's only shared state primitive. */
export interface Store<T> {
  get(): T
  set(next: T): void
  subscribe(fn: () => void): () => void
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial
  const subs = new Set<() => void>()
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return
      value = next
      for (const fn of [...subs]) fn()
    },
    subscribe(fn) {
      subs.add(fn)
      return () => subs.delete(fn)
    },
  }
}

/** Re-renders the component when the store changes. */
export function useStore<T>(store: Store<T>): T {
  const [, setTick] = useState(0)
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), [store])
  return store.get()
}
