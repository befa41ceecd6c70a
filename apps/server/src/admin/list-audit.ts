import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import type { Db } from '../store/schema.ts'

export interface AuditFilter {
  actor?: string
  /** Exact, or a prefix when it ends in `.` (`task.` → every task action). */
  action?: string
  object_id?: string
  from?: string
  to?: string
}

/** Most lines a CSV export holds; narrow the filter for more. */
export const AUDIT_CSV_MAX_ROWS = 100_000

function filtered(db: Db, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('staff_users as s', (j) => j.on(sql<boolean>`a.actor = 'admin:' || s.id`))
  if (f.actor) q = q.where('a.actor', '=', f.actor)
  if (f.action) {
    q = f.action.endsWith('.')
      ? q.where('a.action', '>=', f.action).where('a.action', '<', `${f.action}\uffff`)
      : q.where('a.action', '=', f.action)
  }
  if (f.object_id) q = q.where('a.object_id', '=', f.object_id)
  if (f.from) q = q.where('a.at', '>=', new Date(f.from).toISOString())
  if (f.to) q = q.where('a.at', '<', new Date(f.to).toISOString())
  return q
}

const parse = (s: string | null) => (s === null ? null : JSON.parse(s))

async function rows(db: Db, f: AuditFilter, limit: number, offset: number) {
  const list = await filtered(db, f)
    .select([
      'a.id',
      'a.at',
      'a.actor',
      's.email as actor_email',
      'a.action',
      'a.object_type',
      'a.object_id',
      'a.before',
      'a.after',
      'a.note',
    ])
    .orderBy('a.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute()
  return list.map((r) => ({ ...r, id: Number(r.id), before: parse(r.before), after: parse(r.after) }))
}

/** `GET /admin/audit`: newest first, filtered. */
export async function listAudit(ctx: Ctx, f: AuditFilter & { limit: number; offset: number }) {
  const total = await filtered(ctx.store.db, f)
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .executeTakeFirstOrThrow()
  return {
    data: await rows(ctx.store.db, f, f.limit, f.offset),
    pagination: { limit: f.limit, offset: f.offset, total: Number(total.n) },
  }
}

/** A CSV field: quoted when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it. */
function field(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** `GET /admin/audit.csv`: the same filter, newest first, at most `AUDIT_CSV_MAX_ROWS` lines. */
export async function auditCsv(ctx: Ctx, f: AuditFilter): Promise<string> {
  const head = [
    'id',
    'at',
    'actor',
    'actor_email',
    'action',
    'object_type',
    'object_id',
    'before',
    'after',
    'note',
  ]
  const list = await rows(ctx.store.db, f, AUDIT_CSV_MAX_ROWS, 0)
  const lines = list.map((r) =>
    [r.id, r.at, r.actor, r.actor_email, r.action, r.object_type, r.object_id, r.before, r.after, r.note]
      .map(field)
      .join(','),
  )
  return `${[head.join(','), ...lines].join('\r\n')}\r\n`
}
