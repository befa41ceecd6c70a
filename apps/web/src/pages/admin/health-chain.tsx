import type { ChainHealth } from '@humcli/contract'
import { formatDate, formatMoney, useT } from '../../i18n/index.ts'

const eth = (wei: string) => (Number(BigInt(wei) / 10n ** 12n) / 1e6).toString()

/** The real chain on the health page: the node, the hot wallet's USDC and gas, the watcher's lag. */
export function ChainPanel(props: { chain: ChainHealth | null; waiting: number }) {
  const t = useT()
  const c = props.chain
  return (
    <section class="panel" aria-labelledby="chain-h">
      <h2 id="chain-h">{t('admin.health.chain')}</h2>
      {!c ? (
        <p>{t('admin.health.devChain')}</p>
      ) : (
        <dl class="facts" data-testid="chain">
          <dt>{t('admin.health.node')}</dt>
          <dd class={c.rpc === 'ok' ? 'ok' : 'bad'}>
            {c.rpc === 'ok'
              ? t('admin.health.nodeOk', { id: c.chain_id, block: c.block_number ?? 0 })
              : t('admin.health.unreachable', { id: c.chain_id, why: c.rpc_error ?? '' })}
          </dd>
          <dt>{t('admin.health.hotWallet')}</dt>
          <dd>
            {c.hot_wallet === null ? (
              t('admin.health.noHotWallet')
            ) : (
              <>
                <code>{c.hot_wallet}</code>{' '}
                {c.hot_usdc === null || c.hot_gas_wei === null
                  ? '—'
                  : t('admin.health.hotBalances', { usdc: formatMoney(c.hot_usdc), eth: eth(c.hot_gas_wei) })}
              </>
            )}
          </dd>
          <dt>{t('admin.health.payoutsWaiting')}</dt>
          <dd class={props.waiting === 0 ? 'ok' : 'bad'}>{props.waiting}</dd>
          <dt>{t('admin.health.watcher')}</dt>
          <dd>
            {c.watcher
              ? t('admin.health.watcherAt', {
                  block: c.watcher.next_block,
                  lag: c.watcher.lag_blocks ?? '?',
                  when: formatDate(c.watcher.updated_at),
                })
              : t('admin.health.watcherNever')}
          </dd>
        </dl>
      )}
    </section>
  )
}
