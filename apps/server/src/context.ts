// The context every verb and worker receives. Only types: the wiring that builds one is the
// composition root, `compose.ts`, at the top of the layers (ARCHITECTURE.md, Layout).
import type { Logger } from 'pino'
import type { CachedKey } from './agents/api-keys.ts'
import type { BlobStore } from './blobs/blob-store.ts'
import type { Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { Mailer } from './mail/mailer.ts'
import type { OidcVerifier } from './operators/external-tokens.ts'
import type { ChainPort } from './payments/chain.ts'
import type { Secrets } from './secrets.ts'
import type { Store } from './store/db.ts'
import type { CachedTaskView } from './tasks/get-task.ts'

/** Everything a verb or worker needs, passed explicitly: no module-level state. */
export interface Ctx {
  config: Config
  store: Store
  clock: Clock
  log: Logger
  blobs: BlobStore
  chain: ChainPort
  secrets: Secrets
  /** Outgoing mail (SMTP, the development mail folder, or none); used only by the `email.send` job. */
  mailer: Mailer
  /** The external OpenID issuer operators may sign in with (HUMCLI_OIDC_*), with its cached keys. */
  oidc: OidcVerifier | null
  /** Per-process caches; each says in its owner how it stays correct. */
  caches: {
    apiKeys: Map<string, CachedKey>
    taskViews: Map<string, CachedTaskView>
    /** `<issuer>|<sub>` → operator id (`provisionExternalOperator`). */
    externalSubjects: Map<string, string>
  }
}
