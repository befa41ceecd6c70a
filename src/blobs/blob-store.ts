/** Where uploaded files live. Local disk by default; an S3-compatible adapter plugs in here. */
export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>
  get(key: string): Promise<Buffer | null>
  delete(key: string): Promise<void>
}
