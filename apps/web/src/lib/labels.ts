import type { TaskType } from '@humcli/contract/enums'
import type { MessageKey } from '../i18n/en.ts'
import { t } from '../i18n/index.ts'

/** A task type in the operator's language. */
export const typeLabel = (type: string) => t(`type.${type as TaskType}` as MessageKey)

/** A task status in the operator's language. */
export const statusLabel = (status: string) => t(`status.${status}` as MessageKey)
