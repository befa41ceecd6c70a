import { TASK_DOMAINS, type TaskDomain, type TaskType } from '@humcli/contract/enums'

export { TASK_DOMAINS, TASK_TYPES, type TaskDomain, type TaskType } from '@humcli/contract/enums'

export function domainOf(type: TaskType): TaskDomain {
  for (const [domain, types] of Object.entries(TASK_DOMAINS)) {
    if ((types as readonly string[]).includes(type)) return domain as TaskDomain
  }
  throw new Error(`unknown task type ${type}`)
}
