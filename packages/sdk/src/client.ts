import { type CallOptions, id, keyFor, page } from './call.ts'
import { type SignMessage, type WaitForCreditOptions, waitForCredit } from './deposits.ts'
import { type ClientOptions, Transport } from './transport.ts'
import type {
  AgentProfile,
  ApiKeySummary,
  ApprovedEstimate,
  Balance,
  BindWalletInput,
  BoundWallet,
  CancelledTask,
  CreatedTask,
  CreateTaskInput,
  CreateWebhookInput,
  CredentialResponse,
  CursorPage,
  Deposit,
  DepositAddress,
  DepositInput,
  DepositStatus,
  LedgerLine,
  ListTasksParams,
  NewApiKey,
  Page,
  PageParams,
  Rating,
  RatingInput,
  RegisterInput,
  Registration,
  RejectedEstimate,
  RevokedKey,
  Task,
  TaskSummary,
  VerificationSent,
  VerifyInput,
  WalletChallenge,
  WebhookDelivery,
  WebhookEndpoint,
} from './types.ts'
import { type WaitOptions, waitForTask } from './wait.ts'

export type { CallOptions } from './call.ts'

/**
 * The typed client of the humcli agent API (`HumcliOperator` and `HumcliAdmin` are the operator's
 * and staff's).
 *
 * ```ts
 * const humcli = new Humcli({ apiKey: process.env.HUMCLI_API_KEY })
 * const task = await humcli.tasks.create({ title: 'Photograph the storefront', … })
 * const done = await humcli.waitForTask(task.task_id)
 * ```
 */
export class Humcli {
  private readonly t: Transport

  constructor(options: ClientOptions = {}) {
    this.t = new Transport(options)
  }

  /** Registers a new agent (no key needed). The response holds the API key, shown this once. */
  static register(input: RegisterInput, options: ClientOptions = {}, call: CallOptions = {}) {
    return new Transport(options).request<Registration>({
      method: 'POST',
      path: '/agents/register',
      body: input,
      auth: false,
      signal: call.signal,
    })
  }

  /** Your profile: tier, limits, today's usage, balances, verification state. */
  me(o: CallOptions = {}) {
    return this.t.request<AgentProfile>({ method: 'GET', path: '/agents/me', signal: o.signal })
  }

  balance(o: CallOptions = {}) {
    return this.t.request<Balance>({ method: 'GET', path: '/agents/balance', signal: o.signal })
  }

  /** Your ledger lines, newest first. */
  transactions(p: PageParams = {}, o: CallOptions = {}) {
    return this.t.request<Page<LedgerLine>>({
      method: 'GET',
      path: '/agents/transactions',
      query: page(p),
      signal: o.signal,
    })
  }

  /** Sends the email-verification link again. */
  resendVerification(o: CallOptions = {}) {
    return this.t.request<VerificationSent>({
      method: 'POST',
      path: '/agents/resend-verification',
      signal: o.signal,
    })
  }

  /** Reports a USDC deposit (credited with what the chain says). Sends an `Idempotency-Key`. */
  deposit(input: DepositInput, o: CallOptions = {}) {
    return this.t.request<Deposit>({
      method: 'POST',
      path: '/agents/deposit/usdc',
      body: { ...input, chain: input.chain ?? 'base' },
      idempotencyKey: keyFor(o),
      signal: o.signal,
    })
  }

  readonly wallet = {
    /** A single-use message (10 minutes) for the wallet you will deposit from to sign. */
    challenge: (o: CallOptions = {}) =>
      this.t.request<WalletChallenge>({ method: 'POST', path: '/agents/wallet/challenge', signal: o.signal }),
    /** Binds the wallet that signed a challenge; deposits are then credited only from it. */
    bind: (input: BindWalletInput, o: CallOptions = {}) =>
      this.t.request<BoundWallet>({ method: 'PUT', path: '/agents/wallet', body: input, signal: o.signal }),
    /**
     * Challenge, sign, bind in one call: `sign` is your wallet's personal_sign (viem's
     * `account.signMessage`, ethers' `wallet.signMessage`, or `personalSignWith(window.ethereum, address)`).
     */
    bindWith: async (address: string, sign: SignMessage, o: CallOptions = {}) => {
      const c = await this.wallet.challenge(o)
      const signature = await sign(c.message)
      return this.wallet.bind({ wallet_address: address, signature, nonce: c.nonce }, o)
    },
    /** Where to send USDC from the bound wallet, on which chain, and the confirmations a credit needs. */
    depositAddress: (o: CallOptions = {}) =>
      this.t.request<DepositAddress>({ method: 'GET', path: '/agents/deposit-address', signal: o.signal }),
  }

  readonly deposits = {
    /** Your deposits from one transaction and whether they are credited (404 until recorded). */
    get: (txHash: string, o: CallOptions = {}) =>
      this.t.request<DepositStatus>({
        method: 'GET',
        path: `/agents/deposits/${id(txHash)}`,
        signal: o.signal,
      }),
    /** Polls `get` until the transaction is credited (see `WaitForCreditOptions`). */
    waitForCredit: (txHash: string, options: WaitForCreditOptions = {}) =>
      waitForCredit(this.t.timers, (signal) => this.deposits.get(txHash, { signal }), options),
  }

  readonly keys = {
    /** A new API key, shown this once. */
    create: (name: string, o: CallOptions = {}) =>
      this.t.request<NewApiKey>({ method: 'POST', path: '/agents/keys', body: { name }, signal: o.signal }),
    list: (o: CallOptions = {}) =>
      this.t.request<{ data: ApiKeySummary[] }>({ method: 'GET', path: '/agents/keys', signal: o.signal }),
    /** Revokes a key; you cannot revoke your last one. */
    revoke: (keyId: string, o: CallOptions = {}) =>
      this.t.request<RevokedKey>({ method: 'DELETE', path: `/agents/keys/${id(keyId)}`, signal: o.signal }),
  }

  readonly tasks = {
    /** Creates a task and escrows reward + fee. Sends an `Idempotency-Key`, so retries never duplicate it. */
    create: (input: CreateTaskInput, o: CallOptions = {}) =>
      this.t.request<CreatedTask>({
        method: 'POST',
        path: '/tasks',
        body: {
          ...input,
          deadline: input.deadline instanceof Date ? input.deadline.toISOString() : input.deadline,
        },
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** Your tasks, newest first. */
    list: (p: ListTasksParams = {}, o: CallOptions = {}) =>
      this.t.request<CursorPage<TaskSummary>>({
        method: 'GET',
        path: '/tasks',
        query: { ...page(p), cursor: p.cursor, status: p.status, task_type: p.task_type },
        signal: o.signal,
      }),
    get: (taskId: string, o: CallOptions = {}) =>
      this.t.request<Task>({ method: 'GET', path: `/tasks/${id(taskId)}`, signal: o.signal }),
    approveEstimate: (taskId: string, o: CallOptions = {}) =>
      this.t.request<ApprovedEstimate>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/estimate/approve`,
        signal: o.signal,
      }),
    /** The operator is unassigned and the task is open to others again. */
    rejectEstimate: (taskId: string, reason: string, o: CallOptions = {}) =>
      this.t.request<RejectedEstimate>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/estimate/reject`,
        body: { reason },
        signal: o.signal,
      }),
    /** APPROVE → COMPLETED (escrow released); REJECT → DISPUTED. Sends an `Idempotency-Key`. */
    verify: (taskId: string, input: VerifyInput, o: CallOptions = {}) =>
      this.t.request<Task>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/verify`,
        body: input,
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** Cancels and refunds the whole escrow. Sends an `Idempotency-Key`. */
    cancel: (taskId: string, reason?: string, o: CallOptions = {}) =>
      this.t.request<CancelledTask>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/cancel`,
        body: reason === undefined ? {} : { reason },
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** The credential of a completed credential task; open sealed values with `openCredential`. */
    retrieveCredential: (taskId: string, o: CallOptions = {}) =>
      this.t.request<CredentialResponse>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/retrieve-credential`,
        safe: true,
        signal: o.signal,
      }),
    rate: (taskId: string, input: RatingInput, o: CallOptions = {}) =>
      this.t.request<Rating>({
        method: 'POST',
        path: `/tasks/${id(taskId)}/rating`,
        body: input,
        signal: o.signal,
      }),
  }

  readonly webhooks = {
    /** Registers an endpoint; its `whsec_` secret is in this response only. */
    create: (input: CreateWebhookInput, o: CallOptions = {}) =>
      this.t.request<WebhookEndpoint>({ method: 'POST', path: '/webhooks', body: input, signal: o.signal }),
    list: (o: CallOptions = {}) =>
      this.t.request<{ data: WebhookEndpoint[] }>({ method: 'GET', path: '/webhooks', signal: o.signal }),
    delete: (endpointId: string, o: CallOptions = {}) =>
      this.t.request<{ id: string; deleted: true }>({
        method: 'DELETE',
        path: `/webhooks/${id(endpointId)}`,
        signal: o.signal,
      }),
    /** Queues a `webhook.ping` delivery. */
    test: (endpointId: string, o: CallOptions = {}) =>
      this.t.request<WebhookDelivery>({
        method: 'POST',
        path: `/webhooks/${id(endpointId)}/test`,
        signal: o.signal,
      }),
    deliveries: (endpointId: string, p: PageParams = {}, o: CallOptions = {}) =>
      this.t.request<Page<WebhookDelivery>>({
        method: 'GET',
        path: `/webhooks/${id(endpointId)}/deliveries`,
        query: page(p),
        signal: o.signal,
      }),
    redeliver: (deliveryId: string, o: CallOptions = {}) =>
      this.t.request<WebhookDelivery>({
        method: 'POST',
        path: `/webhooks/deliveries/${id(deliveryId)}/redeliver`,
        signal: o.signal,
      }),
    /** A new secret (in this response only); the old one keeps signing for 24 h. */
    rotateSecret: (endpointId: string, o: CallOptions = {}) =>
      this.t.request<WebhookEndpoint>({
        method: 'POST',
        path: `/webhooks/${id(endpointId)}/rotate-secret`,
        signal: o.signal,
      }),
  }

  /** Polls a task with exponential backoff until it reaches one of `until` (see `WaitOptions`). */
  waitForTask(taskId: string, options: WaitOptions = {}): Promise<Task> {
    return waitForTask(this.t.timers, (signal) => this.tasks.get(taskId, { signal }), options)
  }
}

/** The same as `new Humcli(options)`. */
export function createClient(options: ClientOptions = {}): Humcli {
  return new Humcli(options)
}
