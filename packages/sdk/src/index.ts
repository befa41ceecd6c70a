/**
 * The humcli TypeScript SDK: `import { Humcli } from '@humcli/sdk'` (or `humcli/sdk`).
 * Runs on Node ≥ 20, Deno, Bun and in browsers: fetch, WebCrypto, `@noble/hashes` for webhook
 * HMACs, libsodium loaded only for credential tasks. Its types come from `@humcli/contract`.
 */
export { HumcliAdmin } from './admin-client.ts'
export type { CallOptions } from './call.ts'
export { createClient, Humcli } from './client.ts'
export { generateKeyPair, type KeyPair, openCredential } from './credentials.ts'
export {
  type DepositWaitState,
  personalSignWith,
  type SignMessage,
  type WaitForCreditOptions,
} from './deposits.ts'
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
export type { KycDocuments, SubmitProofInput, UploadFile } from './forms.ts'
export { HumcliOperator } from './operator-client.ts'
export {
  type ClientOptions,
  DEFAULT_BASE_URL,
  parseRetryAfter,
  type RetryOptions,
  type Timers,
} from './transport.ts'
export * from './types.ts'
export { DEFAULT_WAIT_UNTIL, FINAL_STATUSES, type PollPacing, type WaitOptions } from './wait.ts'
export { type VerifyWebhookOptions, verifyWebhook, type WebhookHeaders } from './webhooks.ts'
