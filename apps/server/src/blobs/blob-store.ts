import type { Readable } from 'node:stream'

/**
 * Where uploaded files live: local disk by default (`LocalDiskBlobStore`), or any S3-compatible
 * object store (`S3BlobStore`, ADR 0008). Chosen by `HUMCLI_BLOB_STORE` in `createBlobStore`.
 */
export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>
  /** The whole object, or null when there is none. */
  get(key: string): Promise<Buffer | null>
  /** The object as a stream (for serving files without holding them in memory), or null. */
  stream(key: string): Promise<BlobStream | null>
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>
  /** At startup: fails with a clear sentence when the store cannot be used. */
  check?(): Promise<void>
  /** Releases connections when the process stops. */
  close?(): Promise<void>
}

export interface BlobStream {
  body: Readable
  sizeBytes: number | null
}

/** Keys are ours (`proof/<task>/<file>`), never user input; anything else is a bug. */
export function assertBlobKey(key: string): void {
  if (!/^[a-z0-9_/.-]+$/i.test(key) || key.includes('..') || key.startsWith('/')) {
    throw new Error(`invalid blob key ${key}`)
  }
}
