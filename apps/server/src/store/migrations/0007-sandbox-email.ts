import { type Kysely, sql } from 'kysely'

// Copied, not imported: a migration writes what was true when it was released and imports
// nothing live (sandbox/operator.ts may change; this row must not). The sandbox simulator tests
// act as this operator, so they fail if the id drifts.
const SANDBOX_OPERATOR_ID = 'op_sandbox'
const SANDBOX_OPERATOR_NAME = 'Sandbox Operator'
const SANDBOX_OPERATOR_EMAIL = 'sandbox-operator@humcli.invalid'

/**
 * Email verification links (only a SHA-256 hash of each token is kept; single use, expiring) and
 * the simulated operator that works sandbox tasks: no password, KYC approved, all skills.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema
    .createIndex('email_verifications_agent')
    .on('email_verifications')
    .columns(['agent_id', 'created_at'])
    .execute()
  await sql`insert into operators (id, name, email, password_hash, external_subject, phone, city, country,
      skills, kyc_status, wallet_address, releases, created_at)
    values (${SANDBOX_OPERATOR_ID}, ${SANDBOX_OPERATOR_NAME}, ${SANDBOX_OPERATOR_EMAIL}, null, null, null, null,
      null, '[]', 'APPROVED', null, 0, ${new Date().toISOString()})
    on conflict do nothing`.execute(db)
}
