import { type Static, Type } from '@sinclair/typebox'
import { ListOf, Nullable, PageOf, Strict, StringEnum, Timestamp } from './common.ts'
import { ENDPOINT_EVENTS, TASK_STATUSES } from './enums.ts'

export const CreateWebhookBody = Strict({
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'https URL (http to localhost in development)',
  }),
  events: Type.Array(StringEnum(ENDPOINT_EVENTS), {
    minItems: 1,
    maxItems: ENDPOINT_EVENTS.length,
    uniqueItems: true,
    description: 'Event types to receive; "*" for all',
  }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
})
export type CreateWebhookBody = Static<typeof CreateWebhookBody>

export const WebhookEndpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(StringEnum(ENDPOINT_EVENTS)),
  description: Nullable(Type.String()),
  status: StringEnum(['ENABLED', 'DISABLED'] as const),
  disabled_reason: Nullable(Type.String()),
  disabled_at: Nullable(Timestamp()),
  failing_since: Nullable(Timestamp(), { description: 'First failure of the current run of failures' }),
  created_at: Timestamp(),
  secret: Type.Optional(
    Type.String({
      description: 'The `whsec_` signing secret: only in the create and rotate-secret responses',
    }),
  ),
})
export type WebhookEndpoint = Static<typeof WebhookEndpoint>
export const WebhookEndpointList = ListOf(WebhookEndpoint)

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: StringEnum(['PENDING', 'SUCCEEDED', 'FAILED'] as const),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp()),
  created_at: Timestamp(),
  delivered_at: Nullable(Timestamp()),
  request: Type.Object({ url: Nullable(Type.String()), body: Type.String({ description: 'The JSON sent' }) }),
  response: Type.Object({
    status: Nullable(Type.Integer()),
    body: Nullable(Type.String({ description: "The receiver's answer, cut after 500 characters" })),
    duration_ms: Nullable(Type.Integer()),
    at: Nullable(Timestamp()),
  }),
  error: Nullable(Type.String()),
})
export type WebhookDelivery = Static<typeof WebhookDelivery>
export const WebhookDeliveryPage = PageOf(WebhookDelivery)

export const DeletedWebhook = Type.Object({ id: Type.String(), deleted: Type.Literal(true) })

export type WebhookEndpointList = Static<typeof WebhookEndpointList>
export type WebhookDeliveryPage = Static<typeof WebhookDeliveryPage>
export type DeletedWebhook = Static<typeof DeletedWebhook>

/** The body of a per-task callback (compat; signed with the task's `callback_secret`). */
export const TaskStatusChangedEvent = Type.Object({
  event: Type.Literal('task.status_changed'),
  task_id: Type.String(),
  status: StringEnum(TASK_STATUSES),
  previous_status: Nullable(StringEnum(TASK_STATUSES)),
  timestamp: Timestamp(),
})
export type TaskStatusChangedEvent = Static<typeof TaskStatusChangedEvent>
