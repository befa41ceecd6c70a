import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../store/schema.ts'

export { ENDPOINT_EVENTS } from '@humcli/contract/enums'

/** An endpoint as the API shows it; the secret only where the caller passes it (create, rotate). */
export function endpointView(ep: WebhookEndpointsTable, secret?: string) {
  return {
    id: ep.id,
    url: ep.url,
    events: JSON.parse(ep.events) as string[],
    description: ep.description,
    status: ep.disabled_at ? 'DISABLED' : 'ENABLED',
    disabled_reason: ep.disabled_reason,
    disabled_at: ep.disabled_at,
    failing_since: ep.failing_since,
    created_at: ep.created_at,
    ...(secret ? { secret } : {}),
  }
}

const SHOWN_BODY_CHARS = 500

/** A delivery's request/response summary; the receiver's body is cut short. */
export function deliveryView(d: WebhookDeliveriesTable) {
  const body = d.response_body ?? null
  return {
    id: d.id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status.toUpperCase(),
    attempts: Number(d.attempts),
    next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
    created_at: d.created_at,
    delivered_at: d.delivered_at,
    request: { url: d.last_url, body: d.payload },
    response: {
      status: d.response_status === null ? null : Number(d.response_status),
      body: body && body.length > SHOWN_BODY_CHARS ? `${body.slice(0, SHOWN_BODY_CHARS)}…` : body,
      duration_ms: d.duration_ms === null ? null : Number(d.duration_ms),
      at: d.last_attempt_at,
    },
    error: d.last_error,
  }
}
