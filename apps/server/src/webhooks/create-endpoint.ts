import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { endpointSecretPurpose, sealSecret } from '../credentials/at-rest.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { withTx } from '../store/tx.ts'
import { endpointView } from './serialize.ts'
import { newEndpointSecret } from './sign.ts'
import { checkTargetUrl } from './target-url.ts'

export interface CreateEndpointInput {
  url: string
  events: string[]
  description?: string
}

const MAX_ENDPOINTS = 20

/** Registers an account webhook endpoint; its `whsec_` secret is returned this once and stored sealed. */
export async function createEndpoint(ctx: Ctx, agentId: string, input: CreateEndpointInput) {
  await checkTargetUrl(input.url, ctx.config, 'url')
  const now = ctx.clock.now()
  const secret = newEndpointSecret()
  const events = input.events.includes('*') ? ['*'] : [...new Set(input.events)]
  return withTx(ctx.store, async (tx) => {
    const count = await tx
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('agent_id', '=', agentId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow()
    if (BigInt(count.n) >= BigInt(MAX_ENDPOINTS)) {
      throw new DomainError('LIMIT_EXCEEDED', `An agent may have at most ${MAX_ENDPOINTS} webhook endpoints.`)
    }
    const id = newId('whe')
    const ep = await tx
      .insertInto('webhook_endpoints')
      .values({
        id,
        agent_id: agentId,
        url: input.url,
        events: JSON.stringify(events),
        description: input.description ?? null,
        secret: sealSecret(ctx.secrets, endpointSecretPurpose(id), secret),
        created_at: iso(now),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return endpointView(ep, secret)
  })
}
