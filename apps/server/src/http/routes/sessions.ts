import { LoginBody } from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { checkOperatorPassword } from '../../operators/register.ts'
import { issueOperatorToken } from '../../operators/tokens.ts'
import { sessionRoutes } from '../session-cookie.ts'

/** Browser sessions (ADR 0015): one `sessionRoutes` per role that signs in from a browser. */
export function browserSessionRoutes(app: FastifyInstance, ctx: Ctx): void {
  sessionRoutes<{ email: string; password: string }>(app, ctx, {
    kind: 'operator',
    prefix: '/operator/session',
    tags: ['operators'],
    operationName: 'Operator',
    loginBody: LoginBody,
    authenticate: (body, ip) => checkOperatorPassword(ctx, body, ip),
    issueAccess: (id) => issueOperatorToken(ctx, id),
  })
}
