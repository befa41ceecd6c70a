import { type Static, type TSchema, Type } from '@sinclair/typebox'

export const StringEnum = <T extends string>(values: readonly T[], opts: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts })

/** At most a billion dollars: past it no amount is real, and a huge float must be a 400, not a 500. */
export const Money = (description: string) =>
  Type.Number({ description: `${description} (USD, at most 6 decimals)`, maximum: 1_000_000_000 })

/** `limit`/`offset` of a list: both optional, the server fills in the defaults (20 and 0). */
export const Pagination = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  // Bounded so a huge offset (1e20) is a 400, not a database error (issue 16, item 6).
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
})
/** Pagination as a handler sees it: the defaults are filled in by validation. */
export type Pagination = { limit: number; offset: number }

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })
export type IdParams = Static<typeof IdParams>

export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    code: Type.String(),
    request_id: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error' },
)

export const Strict = <T extends Record<string, TSchema>>(props: T, opts: Record<string, unknown> = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts })

/** Standard error responses for the OpenAPI document. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { $ref: 'Error#' }])) as Record<number, unknown>

/** `T` or JSON null. */
export const Nullable = <T extends TSchema>(schema: T, opts: Record<string, unknown> = {}) =>
  Type.Union([schema, Type.Null()], opts)

/** An ISO-8601 time as the server writes it (`Date.prototype.toISOString`). */
export const Timestamp = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) })

/** A reference to a shared schema (one registered with `addSchema`), typed as that schema. */
export const RefTo = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T>>(Type.Ref(`${String(schema.$id)}#`))

export const PageInfo = Type.Object({
  limit: Type.Integer(),
  offset: Type.Integer(),
  total: Type.Integer({ description: 'How many items match, over all pages' }),
})

/** A keyset cursor parameter: the `next_cursor` of the previous page (ADR 0021). */
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 500,
  description:
    'Opaque: the `pagination.next_cursor` of the previous page. The page after it costs the same at any depth; not combined with `offset`.',
})

/** `PageInfo` of a list paged by keyset too: `next_cursor` is null on the last page. */
export const CursorPageInfo = Type.Object({
  ...PageInfo.properties,
  next_cursor: Nullable(
    Type.String({ description: 'Pass as `cursor` for the next page; null when this page is the last' }),
  ),
})

/** A page of a list: `{ data, pagination }`. */
export const PageOf = <T extends TSchema>(item: T, opts: Record<string, unknown> = {}) =>
  Type.Object({ data: Type.Array(item), pagination: PageInfo }, opts)

/** A list that is never paged: `{ data }`. */
export const ListOf = <T extends TSchema>(item: T, opts: Record<string, unknown> = {}) =>
  Type.Object({ data: Type.Array(item) }, opts)

/** A page of a list that also pages by `cursor`: `{ data, pagination }` with `next_cursor`. */
export const CursorPageOf = <T extends TSchema>(item: T, opts: Record<string, unknown> = {}) =>
  Type.Object({ data: Type.Array(item), pagination: CursorPageInfo }, opts)

export type ErrorBody = Static<typeof ErrorBody>
export type PageInfo = Static<typeof PageInfo>
