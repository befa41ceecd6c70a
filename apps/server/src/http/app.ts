import { randomBytes } from 'node:crypto'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { ErrorBody, PROOF_SCHEMAS, TASK_SCHEMAS } from '@humcli/contract'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify'
import { sql } from 'kysely'
import secureJson from 'secure-json-parse'
import type { Ctx } from '../context.ts'
import { invalid } from '../domain/errors.ts'
import { TRANSITIONS } from '../domain/lifecycle.ts'
import { VERSION } from '../version.ts'
import { registerDocs } from './docs.ts'
import { frameworkErrors, installErrorHandler, invalidJson } from './errors.ts'
import { installIdempotency } from './idempotency.ts'
import { installMetrics } from './metrics.ts'
import { rateKey } from './rate-limit.ts'
import { installNulRefusal } from './refuse-nul.ts'
import { installResponseCheck } from './response-check.ts'
import { adminRoutes } from './routes/admin.ts'
import { adminConsoleRoutes } from './routes/admin-console.ts'
import { agentRoutes } from './routes/agents.ts'
import { dashboardRoutes } from './routes/dashboard.ts'
import { fileRoutes } from './routes/files.ts'
import { operatorAccountRoutes } from './routes/operator-account.ts'
import { operatorEarningsRoutes } from './routes/operator-earnings.ts'
import { operatorKycRoutes } from './routes/operator-kyc.ts'
import { operatorTaskRoutes } from './routes/operator-tasks.ts'
import { browserSessionRoutes } from './routes/sessions.ts'
import { staffRoutes } from './routes/staff.ts'
import { taskRoutes } from './routes/tasks.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { installUnreadBodyDrain } from './unread-body.ts'
import { validatorCompiler } from './validation.ts'
import { registerWebApp } from './web-app.ts'

/** The API document's introduction, with the lifecycle table rendered from `TRANSITIONS` itself. */
function apiDescription(): string {
  const rows = Object.entries(TRANSITIONS).map(
    ([from, to]) => `| ${from} | ${to.length ? to.join(', ') : '(final)'} |`,
  )
  return [
    'AI agents hire verified humans. Compatible with the HumCLI API: change the base URL.',
    '',
    'Errors are `{"error", "code", "request_id", "details"?}`. Money is USD with at most 6 decimals.',
    '',
    '## Task lifecycle',
    '',
    '| from | allowed next statuses |',
    '|---|---|',
    ...rows,
  ].join('\n')
}

/**
 * Request ids: a random per-process prefix and a counter — unique without a call into the
 * random source on every request.
 */
function requestIds(): () => string {
  const prefix = randomBytes(6).toString('hex')
  let n = 0
  return () => `req_${prefix}${(n++).toString(16).padStart(12, '0')}`
}

export interface BuildAppOptions {
  /** Called with every route as it is added (tests build their authorization matrix from it). */
  onRoute?: (route: RouteOptions) => void
}

export async function buildApp(ctx: Ctx, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    genReqId: requestIds(),
    requestIdHeader: false,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: false,
    // Long enough that an over-long id reaches its schema (a 400 naming it) instead of missing every
    // route and falling through to the web app's catch-all.
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors: frameworkErrors(ctx.config),
  })
  app.setValidatorCompiler(validatorCompiler)
  // Response schemas document the API (and are checked in tests, `installResponseCheck`); replies
  // are written with JSON.stringify as before, so a schema never drops a field or slows a reply.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  if (options.onRoute) app.addHook('onRoute', options.onRoute)
  app.decorateRequest('principal', null)
  // Set when the request arrives (a synchronous hook), so every reply carries it, errors included.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })

  // JSON bodies through secure-json-parse; an empty body counts as no body (POST /cancel with no payload).
  // Fastify's text/plain parser goes too: a body that is not JSON is a 415, not a string to validate.
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      const forbidden = err instanceof SyntaxError && /forbidden/.test(err.message)
      done(
        forbidden
          ? invalid(
              'body',
              'The request body uses a forbidden key (`__proto__` or `constructor`); remove it.',
            )
          : invalidJson(text),
        undefined,
      )
    }
  })

  installErrorHandler(app, ctx.config)
  await app.register(multipart, {
    limits: {
      fileSize: ctx.config.uploadMaxBytes,
      files: ctx.config.uploadMaxFiles,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: 40,
    },
  })
  // The general limit (per credential, else per address) applies to every route when on; the
  // anonymous endpoints carry their own per-address limits (`perIpLimit`), on even when it is off.
  await app.register(rateLimit, {
    global: ctx.config.rateLimitPerMinute > 0,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateKey,
    enableDraftSpec: true,
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'humcli API',
        license: { name: 'MIT', identifier: 'MIT' },
        version: VERSION,
        description: apiDescription(),
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
          // Browser sessions' refresh cookies, sent only to their own /…/session paths (ADR 0015).
          operatorSession: { type: 'apiKey', in: 'cookie', name: 'humcli_operator_session' },
          staffSession: { type: 'apiKey', in: 'cookie', name: 'humcli_admin_session' },
          agentSession: { type: 'apiKey', in: 'cookie', name: 'humcli_agent_session' },
        },
      },
    },
    // Shared schemas appear under their own names (`Error`, `GuardianResult`, …), not `def-N`.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  app.addSchema(ErrorBody)
  for (const schema of [...PROOF_SCHEMAS, ...TASK_SCHEMAS]) app.addSchema(schema)
  if (ctx.config.validateResponses) installResponseCheck(app, ctx.config.responseViolationsFile)
  installNulRefusal(app)
  installUnreadBodyDrain(app, ctx.config)
  installIdempotency(app, ctx)
  installMetrics(app, ctx)
  await registerDocs(app)

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.store.db)
      return { status: 'ready', database: ctx.store.dialect }
    } catch {
      reply.code(503)
      return { status: 'unavailable', database: ctx.store.dialect }
    }
  })

  await app.register(
    async (api) => {
      agentRoutes(api, ctx)
      taskRoutes(api, ctx)
      // In this order: the operator routes appear in the OpenAPI document as they are registered.
      operatorAccountRoutes(api, ctx)
      operatorTaskRoutes(api, ctx)
      operatorKycRoutes(api, ctx)
      operatorEarningsRoutes(api, ctx)
      browserSessionRoutes(api, ctx)
      adminRoutes(api, ctx)
      adminConsoleRoutes(api, ctx)
      staffRoutes(api, ctx)
      dashboardRoutes(api, ctx)
      fileRoutes(api, ctx)
      webhookRoutes(api, ctx)
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
    },
    { prefix: '/api/v1' },
  )
  await registerWebApp(app, ctx)
  return app
}
