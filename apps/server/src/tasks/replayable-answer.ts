/**
 * What an `Idempotency-Key` replay of a create-task answer says instead of a generated
 * `callback_secret`: a shown-once secret is never stored with the key (issue 16, item 5).
 */
export const CALLBACK_SECRET_OMITTED =
  'The generated callback_secret is shown only in the first answer and is not stored for replays. ' +
  'If it was lost, cancel this task and create it again with a callback_secret of your own.'

/** The create answer as stored for replay: the generated secret replaced by a note saying so. */
export function replayableCreateAnswer(body: Record<string, unknown>): Record<string, unknown> {
  if (!('callback_secret' in body)) return body
  const { callback_secret: _secret, ...rest } = body
  return { ...rest, callback_secret_omitted: CALLBACK_SECRET_OMITTED }
}
