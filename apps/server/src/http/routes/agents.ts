import {
  AgentProfile,
  AgentRegistration,
  ApiKeyList,
  Balance,
  BindWalletBody,
  BoundWalletReply,
  CreateKeyBody,
  Deposit,
  DepositAddressReply,
  DepositBody,
  DepositStatus,
  DepositTxParams,
  errorResponses,
  IdParams,
  LedgerPage,
  NewApiKey,
  PageQuery,
  type Pagination,
  RegisterAgentBody,
  ResendVerificationReply,
  RevokedKey,
  VerifyEmailQuery,
  VerifyEmailReply,
  WalletChallengeReply,
} from '@humcli/contract'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { createApiKey, listApiKeys, revokeApiKey } from '../../agents/api-keys.ts'
import { agentBalance, agentMe, agentTransactions } from '../../agents/balance.ts'
import { type DepositInput, reportDeposit } from '../../agents/deposit.ts'
import { depositStatus } from '../../agents/deposit-status.ts'
import { type RegisterAgentInput, registerAgent } from '../../agents/register-agent.ts'
import { resendVerification } from '../../agents/send-verification.ts'
import { verifyEmail } from '../../agents/verify-email.ts'
import {
  type BindWalletInput,
  bindWallet,
  createWalletChallenge,
  depositAddress,
} from '../../agents/wallet.ts'
import type { Ctx } from '../../context.ts'
import { DomainError, httpStatus } from '../../domain/errors.ts'
import { agentId, requireAgent } from '../auth.ts'
import { emailLinkBase } from '../base-url.ts'
import { perIpLimit } from '../rate-limit.ts'

/** Browsers get a page; API clients that ask for JSON get JSON. */
function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page(title: string, text: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)} · humcli</title>` +
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style>' +
    `</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`
  )
}

export function agentRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireAgent(ctx)
  const tags = ['agents']
  const security = [{ apiKey: [] }]

  app.post<{ Body: RegisterAgentInput }>(
    '/agents/register',
    {
      config: perIpLimit('register', ctx.config.signupRateLimitPerMinute),
      schema: {
        tags,
        security: [],
        operationId: 'registerAgent',
        summary: 'Register an agent; the API key is shown once',
        description:
          'No auth. The new agent is SANDBOX (simulated operators, no money moves) until it ' +
          'verifies its email; rate limited per address.',
        body: RegisterAgentBody,
        response: { 201: AgentRegistration, ...errorResponses(400, 409, 429) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return registerAgent(ctx, req.body, emailLinkBase(ctx, req))
    },
  )
  app.post(
    '/agents/resend-verification',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'resendVerification',
        summary: 'Email a new verification link (at most one a minute)',
        description: 'The link is valid once, until `expires_at`; 400 when the email is already verified.',
        response: { 200: ResendVerificationReply, ...errorResponses(400, 401, 429, 503) },
      },
    },
    (req) => resendVerification(ctx, agentId(req), emailLinkBase(ctx, req)),
  )
  app.get<{ Querystring: { token: string } }>(
    '/agents/verify-email',
    {
      config: perIpLimit('verify-email', ctx.config.loginRateLimitPerMinute),
      schema: {
        tags,
        security: [],
        operationId: 'verifyEmail',
        summary: 'Follow an email-verification link (no auth): a SANDBOX agent becomes VERIFIED',
        description:
          'The link from the verification email. Answers a small HTML page, or JSON with ' +
          '`Accept: application/json`. 400 when the token is unknown, expired or already used.',
        querystring: VerifyEmailQuery,
        response: {
          200: {
            description: 'Verified',
            content: {
              'application/json': { schema: VerifyEmailReply },
              'text/html': { schema: Type.String() },
            },
          },
          ...errorResponses(400, 429),
        },
      },
    },
    async (req, reply) => {
      const json = wantsJson(req)
      try {
        const r = await verifyEmail(ctx, req.query.token)
        if (json) return r
        return reply.type('text/html; charset=utf-8').send(page('Email verified', r.message))
      } catch (err) {
        if (json || !(err instanceof DomainError)) throw err
        return reply
          .code(httpStatus(err.code))
          .type('text/html; charset=utf-8')
          .send(page('This link does not work', err.message))
      }
    },
  )
  app.get(
    '/agents/me',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getAgentProfile',
        summary: 'Profile, tier, limits and usage',
        description: "Your tier and its limits, today's usage (UTC day), balances and verification state.",
        response: { 200: AgentProfile, ...errorResponses(401) },
      },
    },
    (req) => agentMe(ctx, agentId(req)),
  )
  app.post<{ Body: { name: string } }>(
    '/agents/keys',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'createApiKey',
        summary: 'Create an API key (shown once)',
        description: 'Only a hash of the key is stored: save `key` now.',
        body: CreateKeyBody,
        response: { 201: NewApiKey, ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return createApiKey(ctx, agentId(req), req.body.name)
    },
  )
  app.get(
    '/agents/keys',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listApiKeys',
        summary: 'List live API keys (prefixes only)',
        description: 'Keys that are not revoked, oldest first; never the keys themselves.',
        response: { 200: ApiKeyList, ...errorResponses(401) },
      },
    },
    (req) => listApiKeys(ctx, agentId(req)),
  )
  app.delete<{ Params: IdParams }>(
    '/agents/keys/:id',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: '409 for your last live key: create another one first.',
        params: IdParams,
        response: { 200: RevokedKey, ...errorResponses(401, 404, 409) },
      },
    },
    (req) => revokeApiKey(ctx, agentId(req), req.params.id),
  )
  app.get(
    '/agents/balance',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getBalance',
        summary: 'Deposit and escrow balances',
        description:
          'USD: `deposit_balance` can be escrowed by new tasks; `escrow_balance` is held for open ones.',
        response: { 200: Balance, ...errorResponses(401) },
      },
    },
    (req) => agentBalance(ctx, agentId(req)),
  )
  app.get<{ Querystring: Pagination }>(
    '/agents/transactions',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listTransactions',
        summary: 'Your ledger lines, newest first',
        description: 'Every entry on your deposit and escrow accounts (signed amounts, USD).',
        querystring: PageQuery,
        response: { 200: LedgerPage, ...errorResponses(400, 401) },
      },
    },
    (req) => agentTransactions(ctx, agentId(req), req.query),
  )
  app.post(
    '/agents/wallet/challenge',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'createWalletChallenge',
        summary: 'A single-use message to sign with the wallet you will deposit from',
        description:
          'Sign `message` unchanged with personal_sign (EIP-191) in that wallet, then send the ' +
          'signature to PUT /agents/wallet within 10 minutes.',
        response: { 200: WalletChallengeReply, ...errorResponses(401, 429) },
      },
    },
    (req) => createWalletChallenge(ctx, agentId(req)),
  )
  app.put<{ Body: BindWalletInput }>(
    '/agents/wallet',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'bindWallet',
        summary: 'Bind the wallet that signed a challenge; deposits are credited only from it',
        description:
          '400 "Invalid or expired challenge" when the nonce is unknown, used, expired or another ' +
          "agent's; 400 when the signature was not made by `wallet_address`; 409 when the wallet is " +
          'bound to another agent. Binding again with a new challenge replaces the wallet.',
        body: BindWalletBody,
        response: { 200: BoundWalletReply, ...errorResponses(400, 401, 409, 429) },
      },
    },
    (req) => bindWallet(ctx, agentId(req), req.body),
  )
  app.get(
    '/agents/deposit-address',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getDepositAddress',
        summary: 'Where to send USDC (from your bound wallet)',
        description: '503 when this server publishes no deposit address (HUMCLI_DEPOSIT_ADDRESS).',
        response: { 200: DepositAddressReply, ...errorResponses(401, 429, 503) },
      },
    },
    () => depositAddress(ctx),
  )
  app.post<{ Body: DepositInput }>(
    '/agents/deposit/usdc',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'reportDeposit',
        summary: 'Report a USDC deposit; credited with what the chain says',
        description:
          'The chain decides the amount and the confirmation; each transfer is credited once (409 ' +
          'after that). Deposits totalling $50 make a VERIFIED agent STANDARD.',
        body: DepositBody,
        response: { 201: Deposit, ...errorResponses(400, 401, 409) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return reportDeposit(ctx, agentId(req), req.body)
    },
  )
  app.get<{ Params: DepositTxParams }>(
    '/agents/deposits/:tx_hash',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getDepositStatus',
        summary: 'Your deposits from one transaction, and whether they are credited yet',
        description:
          'Recorded by your report or by the watcher (a transfer from your bound wallet). 404 until ' +
          'one of them has seen it, and for a transaction that is not yours.',
        params: DepositTxParams,
        response: { 200: DepositStatus, ...errorResponses(400, 401, 404, 429) },
      },
    },
    (req) => depositStatus(ctx.store.db, agentId(req), req.params.tx_hash),
  )
}
