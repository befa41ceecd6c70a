/**
 * The humcli TypeScript SDK: `import { Humcli } from 'humcli/sdk'`.
 * Self-contained: it imports nothing from the server, only node built-ins and libsodium-wrappers.
 */
export { type CallOptions, createClient, Humcli } from './client.ts'
export { generateKeyPair, type KeyPair, openCredential } from './credentials.ts'
export {
  CredentialError,
  type ErrorDetail,
  HumcliError,
  type HumcliErrorKind,
  HumcliNetworkError,
  HumcliTimeoutError,
  WaitTimeoutError,
  WebhookVerificationError,
} from './errors.ts'
export {
  type ClientOptions,
  DEFAULT_BASE_URL,
  parseRetryAfter,
  type RetryOptions,
  type Timers,
} from './transport.ts'
export * from './types.ts'
export { DEFAULT_WAIT_UNTIL, FINAL_STATUSES, type WaitOptions } from './wait.ts'
export { type VerifyWebhookOptions, verifyWebhook, type WebhookHeaders } from './webhooks.ts'
