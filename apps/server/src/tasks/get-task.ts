import { SqliteAdapter, sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { notFound } from '../domain/errors.ts'
import { statement } from '../store/statement.ts'
import { loadAgentTask } from './load.ts'
import { buildTaskView, presentTaskView, type TaskView } from './serialize.ts'

export interface CachedTaskView {
  version: bigint
  view: TaskView
  /** The view as JSON when it holds no photo links to sign (they differ per response). */
  json: string | null
  cachedUntil: number
}

/**
 * The task's owner and version. On SQLite through the covering index `tasks_head` (migration
 * 0010), named because the planner would otherwise take the primary key and read the row, whose
 * `version` may sit on an overflow page (ADR 0011).
 */
const taskHead = statement((db, p: { id: string }) =>
  db.getExecutor().adapter instanceof SqliteAdapter
    ? {
        compile: () =>
          sql<{
            agent_id: string
            version: bigint
          }>`select agent_id, version from tasks indexed by tasks_head where id = ${p.id}`.compile(db),
      }
    : db.selectFrom('tasks').select(['agent_id', 'version']).where('id', '=', p.id),
)

const MAX_CACHED = 5000

/**
 * `GET /tasks/{id}`. The built view is cached per process and keyed by the task's `version`,
 * which every change bumps, so a cached view is never older than the task it shows. Each read
 * still asks the database for the current version (one small indexed lookup). Only the
 * operator's average rating can change without a new version: it is at most
 * `HUMCLI_TASK_VIEW_CACHE_MS` (default 5 s) old.
 */
async function currentView(ctx: Ctx, agentId: string, taskId: string): Promise<CachedTaskView> {
  const db = ctx.store.db
  const head = await taskHead.first(db, { id: taskId })
  if (!head || head.agent_id !== agentId) throw notFound('Task')
  const now = ctx.clock.now().getTime()
  const cache = ctx.caches.taskViews
  const hit = cache.get(taskId)
  if (hit && hit.version === head.version && hit.cachedUntil > now) return hit
  const task = await loadAgentTask(db, agentId, taskId)
  const view = await buildTaskView(db, task)
  const entry = {
    version: task.version,
    view,
    json: view.proof?.photos.length ? null : JSON.stringify(view),
    cachedUntil: now + ctx.config.taskViewCacheMs,
  }
  if (ctx.config.taskViewCacheMs > 0) {
    cache.delete(taskId)
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
    cache.set(taskId, entry)
  }
  return entry
}

export async function getTask(ctx: Ctx, agentId: string, taskId: string, baseUrl: string) {
  return presentTaskView(ctx, (await currentView(ctx, agentId, taskId)).view, baseUrl)
}

/** `getTask` as JSON text: a view without photo links is serialized once per version. */
export async function getTaskJson(ctx: Ctx, agentId: string, taskId: string, baseUrl: string) {
  const entry = await currentView(ctx, agentId, taskId)
  return entry.json ?? JSON.stringify(presentTaskView(ctx, entry.view, baseUrl))
}
