import type { FastifyInstance } from 'fastify'

/**
 * What the reference page may load: only this server (Swagger UI sets inline styles, and the
 * logo is a data: URL). A browser enforces it, so the page works offline and never calls a CDN.
 */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'frame-ancestors': ["'self'"],
  'form-action': ["'self'"],
}

/**
 * The browsable API reference at `/docs`: Swagger UI over the same OpenAPI document as
 * `/api/v1/openapi.json` (the plugin serves it again at `/docs/json`), every asset served from
 * node_modules by this server. The online validator badge is off (`validatorUrl: false`).
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  // Imported here, not at the top: CLI commands that never build the app skip loading it.
  const { default: swaggerUi } = await import('@fastify/swagger-ui')
  await app.register(async (docs) => {
    // The generated initializer carries a code comment with a link to another host; it loads
    // nothing, but the page should name no other host at all.
    docs.addHook('onSend', async (req, _reply, payload) =>
      typeof payload === 'string' && req.url.endsWith('/swagger-initializer.js')
        ? payload.replace(/^\s*\/\/.*https?:\/\/.*$/gm, '')
        : payload,
    )
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: DOCS_CSP,
      validatorUrl: false,
      theme: { title: 'humcli API reference' },
      uiConfig: {
        deepLinking: true,
        docExpansion: 'list',
        defaultModelsExpandDepth: 0,
        displayRequestDuration: true,
      },
    })
  })
}
