import { createStore } from './store.ts'

/** Whether the browser says it has a connection; the banner and the upload queue watch it. */
export const online = createStore(navigator.onLine)
addEventListener('online', () => online.set(true))
addEventListener('offline', () => online.set(false))
