import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { loadAgentTask } from '../tasks/load.ts'
import { readStoredCredentials } from './read-credentials.ts'

/**
 * `POST /tasks/{id}/retrieve-credential`: the credential of a COMPLETED credential task, for its
 * agent only. A read: nothing changes, so it may be repeated until the credentials are purged.
 */
export async function retrieveCredential(ctx: Ctx, agentId: string, taskId: string) {
  const task = await loadAgentTask(ctx.store.db, agentId, taskId)
  if (task.domain !== 'CREDENTIAL') {
    throw new DomainError(
      'CONFLICT',
      `Task ${task.id} is a ${task.task_type} task; only credential tasks (ACCOUNT_CREATION, API_KEY_PROCUREMENT, PHONE_VERIFICATION, SUBSCRIPTION_SETUP) carry a credential.`,
    )
  }
  if (task.status !== 'COMPLETED') {
    throw new DomainError(
      'INVALID_STATE',
      `The credential can be retrieved once the task is COMPLETED; task ${task.id} is ${task.status}.`,
    )
  }
  if (task.credentials_purged_at) {
    throw new DomainError(
      'GONE',
      `The credential of task ${task.id} was purged at ${task.credentials_purged_at}, after the retention period; it cannot be retrieved any more.`,
    )
  }
  const stored = readStoredCredentials(ctx, task)
  if (!stored) throw new DomainError('NOT_FOUND', `No credential was submitted for task ${task.id}.`)
  return { task_id: task.id, encrypted_credential: stored.fields, encryption: stored.encryption }
}
