import type { Config } from '../config.ts'
import type { Ctx } from '../context.ts'
import { describeDatabase, hasHumcliSchema, sqliteFileMissing } from '../store/describe-database.ts'
import { CliFailure, EXIT } from './exit-codes.ts'

/**
 * Opens the database of `humcli admin …` and `humcli migrate`: says which one on stderr, and
 * refuses to make a new empty one unless `--create` (a typo in `--data-dir`, or a command run in
 * the wrong folder, would otherwise create a database and report on it as if it were the real one).
 */
export async function openExistingDatabase(config: Config, opts: { create?: boolean }): Promise<Ctx> {
  const where = describeDatabase(config)
  const refuse = () =>
    new CliFailure(
      `no humcli database at ${where}. Point --data-dir (HUMCLI_DATA_DIR) or --database-url (DATABASE_URL) at the server's database, or add --create to make a new empty one there.`,
      EXIT.CONFIG,
    )
  if (!opts.create && sqliteFileMissing(config)) throw refuse()
  // Loaded here, not at start-up, so that `humcli` starts fast for the agent commands.
  const { createContext } = await import('../compose.ts')
  const { migrateToLatest } = await import('../store/migrate.ts')
  const ctx = createContext(config)
  try {
    if (!opts.create && !(await hasHumcliSchema(ctx.store.db as never, ctx.store.dialect))) throw refuse()
    // The same helpers as `serve` (a migration may seal secrets under the master key).
    const { migrationHelpers } = await import('../server.ts')
    await migrateToLatest(ctx.store.db as never, ctx.store.dialect, migrationHelpers(ctx.secrets, ctx.clock))
  } catch (err) {
    await ctx.store.close()
    throw err
  }
  process.stderr.write(`humcli: database ${where}\n`)
  return ctx
}
