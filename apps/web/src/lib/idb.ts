/** The few IndexedDB calls the upload queue needs: one database, one store keyed by `id`. */
const DB = 'humcli'
const STORE = 'uploads'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open()
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode)
    const req = fn(tx.objectStore(STORE))
    tx.oncomplete = () => {
      db.close()
      resolve(req.result)
    }
    tx.onerror = () => {
      db.close()
      reject(tx.error)
    }
  })
}

export const idbPut = <T>(value: T) => run('readwrite', (s) => s.put(value)).then(() => {})
export const idbDelete = (id: string) => run('readwrite', (s) => s.delete(id)).then(() => {})
export const idbAll = <T>() => run<T[]>('readonly', (s) => s.getAll() as IDBRequest<T[]>)
