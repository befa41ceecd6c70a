import fs from 'node:fs/promises'
import path from 'node:path'
import { assertBlobKey, type BlobStore, type BlobStream } from './blob-store.ts'

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT'

export class LocalDiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertBlobKey(key)
    return path.join(this.root, key)
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.pathOf(key)
    await fs.mkdir(path.dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    await fs.writeFile(tmp, data)
    await fs.rename(tmp, file)
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.pathOf(key))
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
  }

  async stream(key: string): Promise<BlobStream | null> {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(this.pathOf(key), 'r')
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
    try {
      const { size } = await handle.stat()
      return { body: handle.createReadStream(), sizeBytes: size }
    } catch (err) {
      await handle.close()
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key)
    await fs.rm(file, { force: true })
    // Leave no empty folder behind (e.g. proof/<task>/ after a refused upload); fails when not empty.
    await fs.rmdir(path.dirname(file)).catch(() => {})
  }
}
