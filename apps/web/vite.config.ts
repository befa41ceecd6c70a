import { defaultClientConditions, defineConfig } from 'vite'

// The operator app (ADR 0015). Preact's JSX through Vite's own transform (no Babel plugin);
// `npm run dev:web` proxies the API to a server started with `npm run dev` (port 8787).
const api = process.env.HUMCLI_DEV_API ?? 'http://127.0.0.1:8787'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    port: 5173,
    proxy: { '/api': api },
  },
})
