import { me, type OperatorProfile } from '../api/operator.ts'
import { createStore } from './store.ts'

/** The signed-in operator's profile (KYC status, counts), loaded once and reloaded on demand. */
export const profile = createStore<OperatorProfile | null>(null)

export async function loadProfile(): Promise<OperatorProfile> {
  const p = await me()
  profile.set(p)
  return p
}
