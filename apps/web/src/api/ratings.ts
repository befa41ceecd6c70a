import type { OperatorRatings } from '@humcli/contract'
import { request } from './client.ts'

export const ratings = () => request<OperatorRatings>('GET', '/operator/ratings', { query: { limit: 50 } })
