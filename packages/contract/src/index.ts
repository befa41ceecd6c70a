// @humcli/contract: the wire contract of the humcli API — TypeBox schemas of requests and
// responses, and the closed lists (statuses, types, tiers, events, error codes). The one source
// for the server's route schemas, the OpenAPI document, the SDK and the web app.
export * from './accounts.ts'
export * from './admin-replies.ts'
export * from './agent-replies.ts'
export * from './common.ts'
export * from './console-replies.ts'
export * from './enums.ts'
export * from './operator.ts'
export * from './operator-replies.ts'
export * from './proof.ts'
export * from './staff.ts'
export * from './task-replies.ts'
export * from './tasks.ts'
export * from './webhooks.ts'
