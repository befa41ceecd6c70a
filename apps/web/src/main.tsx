import { render } from 'preact'
import { App } from './app.tsx'
import { startQueue } from './lib/upload-queue.ts'
import './styles.css'

render(<App />, document.getElementById('app')!)
startQueue()

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js').catch(() => {})
}
