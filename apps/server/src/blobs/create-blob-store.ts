import path from 'node:path'
import type { Config } from '../config.ts'
import type { BlobStore } from './blob-store.ts'
import { LocalDiskBlobStore } from './local-disk.ts'
import { S3BlobStore } from './s3.ts'

/** The blob store the configuration asks for (`HUMCLI_BLOB_STORE`). */
export function createBlobStore(config: Config): BlobStore {
  if (config.blobStore === 's3') {
    if (!config.s3) throw new Error('HUMCLI_BLOB_STORE=s3 without S3 settings')
    return new S3BlobStore(config.s3)
  }
  return new LocalDiskBlobStore(path.join(config.dataDir, 'files'))
}
