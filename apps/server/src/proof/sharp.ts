import { createRequire } from 'node:module'
import type SharpModule from 'sharp'

let loaded: typeof SharpModule | undefined

/**
 * sharp, loaded on first use: it is the heaviest module the server has (libvips), and most
 * processes — the CLI, an API process that never sees a photo — never call it. Synchronous
 * (sharp is CommonJS), so callers use it exactly like the default export.
 */
export function sharp(...args: Parameters<typeof SharpModule>): ReturnType<typeof SharpModule> {
  loaded ??= createRequire(import.meta.url)('sharp') as typeof SharpModule
  return loaded(...args)
}
