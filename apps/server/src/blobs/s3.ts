import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { ConfigError, type S3Config } from '../config.ts'
import { assertBlobKey, type BlobStore, type BlobStream } from './blob-store.ts'

type Sdk = typeof import('@aws-sdk/client-s3')

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404
}

/**
 * Files in any S3-compatible object store (AWS S3, MinIO, Ceph, R2, s3rver …); ADR 0008.
 * The bucket stays private: files are served only through our signed URLs, the server streams
 * them from the store. The SDK is loaded on first use, so a local-disk deployment never pays for it.
 */
export class S3BlobStore implements BlobStore {
  private loading: Promise<{ sdk: Sdk; client: S3Client }> | null = null

  constructor(private readonly config: S3Config) {}

  private connect() {
    this.loading ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: this.config.region,
        ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
        forcePathStyle: this.config.forcePathStyle,
        credentials: {
          accessKeyId: this.config.accessKeyId,
          secretAccessKey: this.config.secretAccessKey,
        },
        // The SDK's default integrity checksums (CRC32 headers and trailers) are newer than many
        // S3-compatible servers; we send Content-MD5 instead, which they all check (ADR 0008).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      }),
    }))
    return this.loading
  }

  private keyOf(key: string): string {
    assertBlobKey(key)
    return this.config.prefix ? `${this.config.prefix}/${key}` : key
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const { sdk, client } = await this.connect()
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.keyOf(key),
        Body: data,
        ContentType: contentType,
        ContentLength: data.length,
        ContentMD5: createHash('md5').update(data).digest('base64'),
      }),
    )
  }

  async get(key: string): Promise<Buffer | null> {
    const object = await this.stream(key)
    if (!object) return null
    const chunks: Buffer[] = []
    for await (const chunk of object.body) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  async stream(key: string): Promise<BlobStream | null> {
    const { sdk, client } = await this.connect()
    try {
      const out = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(key) }),
      )
      if (!out.Body) return null
      return { body: out.Body as Readable, sizeBytes: out.ContentLength ?? null }
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    const { sdk, client } = await this.connect()
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(key) }))
  }

  /** Fails with a sentence naming the bucket when it cannot be reached with these settings. */
  async check(): Promise<void> {
    const { sdk, client } = await this.connect()
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.config.bucket }))
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
      const status = e.$metadata?.httpStatusCode
      const why =
        status === 404
          ? 'it does not exist'
          : status === 403 || status === 401
            ? 'the access key is refused'
            : `${e.name ?? 'error'}: ${e.message ?? String(err)}`
      throw new ConfigError(
        `The S3 bucket "${this.config.bucket}" at ${this.config.endpoint ?? `AWS ${this.config.region}`} ` +
          `cannot be used (${why}); check HUMCLI_S3_BUCKET, HUMCLI_S3_ENDPOINT and the access key.`,
      )
    }
  }

  async close(): Promise<void> {
    if (!this.loading) return
    const { client } = await this.loading
    client.destroy()
  }
}
