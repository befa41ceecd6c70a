import { type Static, Type } from '@sinclair/typebox'
import { Strict, StringEnum } from './common.ts'
import { ENDPOINT_EVENTS } from './enums.ts'

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
