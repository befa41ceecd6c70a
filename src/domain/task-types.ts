export const TASK_DOMAINS = {
  PHYSICAL: ['VERIFICATION', 'PHOTO', 'DELIVERY', 'INSPECTION'],
  DIGITAL: ['CAPTCHA_SOLVING', 'FORM_FILLING', 'CONTENT_REVIEW', 'DATA_VALIDATION', 'BROWSER_NAVIGATION'],
  CREDENTIAL: ['ACCOUNT_CREATION', 'API_KEY_PROCUREMENT', 'PHONE_VERIFICATION', 'SUBSCRIPTION_SETUP'],
} as const

export type TaskDomain = keyof typeof TASK_DOMAINS
export type TaskType = (typeof TASK_DOMAINS)[TaskDomain][number]
export const TASK_TYPES = Object.values(TASK_DOMAINS).flat() as TaskType[]

export function domainOf(type: TaskType): TaskDomain {
  for (const [domain, types] of Object.entries(TASK_DOMAINS)) {
    if ((types as readonly string[]).includes(type)) return domain as TaskDomain
  }
  throw new Error(`unknown task type ${type}`)
}
