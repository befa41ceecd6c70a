/**
 * The simulated operator that works every sandbox task. Its row is written by migration
 * `0007-sandbox-email` (before anyone can register, so nobody can take its email first). It has no
 * password and no external subject, so nobody can log in as it; it only ever accepts sandbox
 * tasks (`acceptTask` with `simulated`), and real operators never see those.
 */
export const SANDBOX_OPERATOR_ID = 'op_sandbox'
export const SANDBOX_OPERATOR_NAME = 'Sandbox Operator'
export const SANDBOX_OPERATOR_EMAIL = 'sandbox-operator@humcli.invalid'
