import type { Ctx } from '../context.ts'
import { notFound } from '../domain/errors.ts'
import { loadAgentTask } from './load.ts'
import { buildTaskView, presentTaskView, type TaskView } from './serialize.ts'

export interface CachedTaskView {
  version: bigint
  view: TaskView
  cachedUntil: number
}

const MAX_CACHED = 5000

/**
 * `GET /tasks/{id}`. The built view is cached per process and keyed by the task's `version`,
 * which every change bumps, so a cached view is never older than the task it shows. Each read
 * still asks the database for the current version (one small indexed lookup). Only the
 * operator's average rating can change without a new version: it is at most
 * `HUMCLI_TASK_VIEW_CACHE_MS` (default 5 s) old.
 */
export async function getTask(ctx: Ctx, agentId: string, taskId: string, baseUrl: string) {
  const db = ctx.store.db
  const head = await db
    .selectFrom('tasks')
    .select(['agent_id', 'version'])
    .where('id', '=', taskId)
    .executeTakeFirst()
  if (!head || head.agent_id !== agentId) throw notFound('Task')
  const now = ctx.clock.now().getTime()
  const cache = ctx.caches.taskViews
  const hit = cache.get(taskId)
  if (hit && hit.version === head.version && hit.cachedUntil > now)
    return presentTaskView(ctx, hit.view, baseUrl)
  const task = await loadAgentTask(db, agentId, taskId)
  const view = await buildTaskView(db, task)
  if (ctx.config.taskViewCacheMs > 0) {
    cache.delete(taskId)
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
    cache.set(taskId, { version: task.version, view, cachedUntil: now + ctx.config.taskViewCacheMs })
  }
  return presentTaskView(ctx, view, baseUrl)
}
