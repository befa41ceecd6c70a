/**
 * The closed lists of the wire contract: statuses, task types, tiers, events, error codes,
 * credential fields. The server's domain, the route schemas, the SDK and the web app all import
 * them from here, so a value is spelled once.
 */

export const TASK_STATUSES = [
  'PENDING',
  'ESTIMATE_PENDING',
  'ACCEPTED',
  'IN_PROGRESS',
  'SUBMITTED',
  'VERIFIED',
  'COMPLETED',
  'MANUAL_REVIEW',
  'DISPUTED',
  'CANCELLED',
] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

/** Task types by domain (spec §5): the domain decides which Guardian checks run. */
export const TASK_DOMAINS = {
  PHYSICAL: ['VERIFICATION', 'PHOTO', 'DELIVERY', 'INSPECTION'],
  DIGITAL: ['CAPTCHA_SOLVING', 'FORM_FILLING', 'CONTENT_REVIEW', 'DATA_VALIDATION', 'BROWSER_NAVIGATION'],
  CREDENTIAL: ['ACCOUNT_CREATION', 'API_KEY_PROCUREMENT', 'PHONE_VERIFICATION', 'SUBSCRIPTION_SETUP'],
} as const
export type TaskDomain = keyof typeof TASK_DOMAINS
export type TaskType = (typeof TASK_DOMAINS)[TaskDomain][number]
export const TASK_TYPES = Object.values(TASK_DOMAINS).flat() as TaskType[]

export const TIERS = ['SANDBOX', 'VERIFIED', 'STANDARD'] as const
export type Tier = (typeof TIERS)[number]

/** The events of the outbox, as webhooks and the event log carry them. */
export const EVENT_TYPES = [
  'task.status_changed',
  'task.estimate_submitted',
  'task.proof_submitted',
  'task.guardian_reviewed',
  'deposit.confirmed',
  'payout.updated',
  'webhook_endpoint.disabled',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** What a webhook endpoint may subscribe to: every event, or `*` for all. */
export const ENDPOINT_EVENTS = [...EVENT_TYPES, '*'] as const
export type EndpointEvent = (typeof ENDPOINT_EVENTS)[number]

/** The closed list of error codes the API returns (the `error.code` of the envelope). */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'INSUFFICIENT_BALANCE',
  'FORBIDDEN',
  'KYC_REQUIRED',
  'ACCOUNT_RESTRICTED',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'IDEMPOTENCY_IN_FLIGHT',
  'GONE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'LIMIT_EXCEEDED',
  'IDEMPOTENCY_MISMATCH',
  'RATE_LIMITED',
  'INTERNAL',
  'UNAVAILABLE',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** The credential fields an operator may submit, by the names the agent gets them back under. */
export const CREDENTIAL_FIELDS = ['username', 'password', 'api_key', 'notes'] as const
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number]

/** The proof's name for a field: `notes` is `credential_notes` there (the API's multipart name). */
export const PROOF_FIELD_NAME = {
  username: 'username',
  password: 'password',
  api_key: 'api_key',
  notes: 'credential_notes',
} as const satisfies Record<CredentialField, string>
export type ProofCredentialField = (typeof PROOF_FIELD_NAME)[CredentialField]

/** How `GET /operator/tasks` may order open tasks. */
export const BROWSE_SORTS = ['newest', 'distance', 'reward', 'deadline'] as const
export type BrowseSort = (typeof BROWSE_SORTS)[number]
