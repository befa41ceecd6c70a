// Runs SQLite WAL checkpoints on a worker thread with its own connection, so the request thread
// never pays for copying WAL pages into the database file (and the fsync that goes with it).
// Plain JavaScript: worker threads do not go through tsx.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const db = new Database(workerData.file)
db.pragma('busy_timeout = 1000')
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // Busy or locked: the next tick tries again; the writer's own auto-checkpoint is the backstop.
  }
}, workerData.intervalMs)

parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer)
    db.close()
    parentPort.close()
  }
})
