import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { endpointSecretPurpose, sealSecret } from '../credentials/at-rest.ts'
import { withTx } from '../store/tx.ts'
import { loadEndpoint } from './load-endpoint.ts'
import { endpointView } from './serialize.ts'
import { newEndpointSecret } from './sign.ts'

const OVERLAP_MS = 24 * 3_600_000

/** A new `whsec_` secret (shown once); for 24 h deliveries carry signatures under both. */
export async function rotateSecret(ctx: Ctx, agentId: string, id: string) {
  const now = ctx.clock.now()
  const secret = newEndpointSecret()
  return withTx(ctx.store, async (tx) => {
    const ep = await loadEndpoint(tx, agentId, id)
    const updated = await tx
      .updateTable('webhook_endpoints')
      .set({
        secret: sealSecret(ctx.secrets, endpointSecretPurpose(id), secret),
        // Still sealed: the previous secret moves over as stored, under the same purpose.
        previous_secret: ep.secret,
        previous_secret_expires_at: iso(addMs(now, OVERLAP_MS)),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return endpointView(updated, secret)
  })
}
