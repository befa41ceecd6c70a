import { type CallOptions, id, keyFor, page } from './call.ts'
import { type KycDocuments, kycForm, proofForm, type SubmitProofInput } from './forms.ts'
import { type ClientOptions, Transport } from './transport.ts'
import type {
  AcceptedTask,
  AcceptInput,
  BrowseParams,
  CursorPage,
  Earnings,
  KycSubmitted,
  LoginInput,
  MyTasksParams,
  OperatorProfile,
  OperatorRegistration,
  OperatorTask,
  OperatorToken,
  Page,
  PageParams,
  Payout,
  PayoutInput,
  ProofSubmitted,
  RegisterOperatorInput,
  ReleasedTask,
  StartedTask,
} from './types.ts'

/**
 * The typed client of the operator API (the human side), with a bearer token from
 * `HumcliOperator.register` or `HumcliOperator.login` (or an OpenID provider's token).
 *
 * ```ts
 * const { token } = await HumcliOperator.login({ email, password }, { baseUrl })
 * const op = new HumcliOperator({ token, baseUrl })
 * const open = await op.tasks.browse({ near: '52.52,13.405' })
 * ```
 */
export class HumcliOperator {
  private readonly t: Transport

  constructor(options: ClientOptions) {
    this.t = new Transport(options)
  }

  /** Registers an operator (no auth). The answer carries a token for `new HumcliOperator({ token })`. */
  static register(input: RegisterOperatorInput, options: ClientOptions = {}, call: CallOptions = {}) {
    return new Transport(options).request<OperatorRegistration>({
      method: 'POST',
      path: '/operator/register',
      body: input,
      auth: false,
      signal: call.signal,
    })
  }

  /** Logs in with email and password (no auth). */
  static login(input: LoginInput, options: ClientOptions = {}, call: CallOptions = {}) {
    return new Transport(options).request<OperatorToken>({
      method: 'POST',
      path: '/operator/login',
      body: input,
      auth: false,
      signal: call.signal,
    })
  }

  /** Your profile: skills, KYC status, rating, task counts. */
  me(o: CallOptions = {}) {
    return this.t.request<OperatorProfile>({ method: 'GET', path: '/operator/me', signal: o.signal })
  }

  /** Uploads the three identity documents (multipart). */
  submitKyc(docs: KycDocuments, o: CallOptions = {}) {
    return this.t.request<KycSubmitted>({
      method: 'POST',
      path: '/operator/kyc',
      body: kycForm(docs),
      signal: o.signal,
    })
  }

  readonly tasks = {
    /** Open tasks matching your skills; with `near` ("lat,lng"), nearest first within `radius_km`. */
    browse: (p: BrowseParams = {}, o: CallOptions = {}) =>
      this.t.request<CursorPage<OperatorTask>>({
        method: 'GET',
        path: '/operator/tasks',
        query: {
          ...page(p),
          cursor: p.cursor,
          task_type: p.task_type,
          near: p.near,
          radius_km: p.radius_km,
          sort: p.sort,
        },
        signal: o.signal,
      }),
    /** Tasks assigned to you, most recently changed first. */
    mine: (p: MyTasksParams = {}, o: CallOptions = {}) =>
      this.t.request<Page<OperatorTask>>({
        method: 'GET',
        path: '/operator/tasks/mine',
        query: { ...page(p), status: p.status },
        signal: o.signal,
      }),
    get: (taskId: string, o: CallOptions = {}) =>
      this.t.request<OperatorTask>({
        method: 'GET',
        path: `/operator/tasks/${id(taskId)}`,
        signal: o.signal,
      }),
    /** Accepts with a time estimate; the agent approves it. Sends an `Idempotency-Key`. */
    accept: (taskId: string, estimate: AcceptInput, o: CallOptions = {}) =>
      this.t.request<AcceptedTask>({
        method: 'POST',
        path: `/operator/tasks/${id(taskId)}/accept`,
        body: estimate,
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** ACCEPTED → IN_PROGRESS. Sends an `Idempotency-Key`. */
    start: (taskId: string, o: CallOptions = {}) =>
      this.t.request<StartedTask>({
        method: 'POST',
        path: `/operator/tasks/${id(taskId)}/start`,
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** Gives the task back to the pool. Sends an `Idempotency-Key`. */
    release: (taskId: string, reason?: string, o: CallOptions = {}) =>
      this.t.request<ReleasedTask>({
        method: 'POST',
        path: `/operator/tasks/${id(taskId)}/release`,
        body: reason === undefined ? {} : { reason },
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    /** Submits proof as multipart/form-data: photos, notes and credential fields. */
    submitProof: (taskId: string, input: SubmitProofInput, o: CallOptions = {}) =>
      this.t.request<ProofSubmitted>({
        method: 'POST',
        path: `/operator/tasks/${id(taskId)}/proof`,
        body: proofForm(input),
        signal: o.signal,
      }),
  }

  /** Pending and available earnings, and the last completed tasks. */
  earnings(o: CallOptions = {}) {
    return this.t.request<Earnings>({ method: 'GET', path: '/operator/earnings', signal: o.signal })
  }

  readonly payouts = {
    /** Withdraws available earnings in USDC (minimum $10). Sends an `Idempotency-Key`. */
    request: (input: PayoutInput, o: CallOptions = {}) =>
      this.t.request<Payout>({
        method: 'POST',
        path: '/operator/payout',
        body: input,
        idempotencyKey: keyFor(o),
        signal: o.signal,
      }),
    list: (p: PageParams = {}, o: CallOptions = {}) =>
      this.t.request<Page<Payout>>({
        method: 'GET',
        path: '/operator/payouts',
        query: page(p),
        signal: o.signal,
      }),
  }
}
