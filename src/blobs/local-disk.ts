import fs from 'node:fs/promises'
import path from 'node:path'
import type { BlobStore } from './blob-store.ts'

export class LocalDiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!/^[a-z0-9_/.-]+$/i.test(key) || key.includes('..')) throw new Error(`invalid blob key ${key}`)
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
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
