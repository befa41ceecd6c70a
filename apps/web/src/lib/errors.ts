import { ApiError, NetworkError } from '../api/client.ts'
import type { MessageKey } from '../i18n/en.ts'
import { t } from '../i18n/index.ts'

/** Errors by code, in the operator's language; a code with no entry shows the server's sentence. */
const BY_CODE: Partial<Record<string, MessageKey>> = {
  UNAUTHORIZED: 'err.sessionExpired',
  KYC_REQUIRED: 'err.kycRequired',
  NOT_FOUND: 'err.notFound',
  RATE_LIMITED: 'err.rateLimited',
}

/** One sentence for any failure. `overrides` say what a code means on this screen. */
export function describeError(err: unknown, overrides: Partial<Record<string, MessageKey>> = {}): string {
  if (err instanceof NetworkError) return navigator.onLine ? t('err.unreachable') : t('err.offline')
  if (err instanceof ApiError) {
    const key = overrides[err.code] ?? BY_CODE[err.code]
    if (key) return t(key)
    if (err.status >= 500) return t('err.server')
    if (err.code === 'VALIDATION_FAILED')
      return t('err.invalid', { detail: err.details.map((d) => d.message).join(' ') || err.message })
    return t('err.generic', { detail: err.message })
  }
  return t('err.generic', { detail: err instanceof Error ? err.message : String(err) })
}
