import type { WalletChallengeReply } from '@humcli/contract'
import { useState } from 'preact/hooks'
import { ApiError } from '../../api/client.ts'
import { bindWallet, depositAddress, me, walletChallenge } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate } from '../../i18n/index.ts'
import { isValidEvmAddress } from '../../lib/evm.ts'
import { CopyButton, DashLayout, dashError, useLoad } from './layout.tsx'

/** An EIP-1193 wallet in the browser (an extension), if there is one. */
interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>
}
const injected = () => (globalThis as { ethereum?: Eip1193 }).ethereum

const SIGNATURE = /^0x[0-9a-fA-F]{130}$/

/** The wallet deposits are credited from (bound by a signed challenge) and where to send USDC. */
export function WalletPage() {
  const t = useT()
  const profile = useLoad(me)
  const deposit = useLoad(async () => {
    try {
      return await depositAddress()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAVAILABLE') return null
      throw err
    }
  })
  const [challenge, setChallenge] = useState<WalletChallengeReply | null>(null)
  const [address, setAddress] = useState('')
  const [signature, setSignature] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const ask = async () => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      setChallenge(await walletChallenge())
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const signInBrowser = async () => {
    const eth = injected()
    if (!eth || !challenge) return
    setError(null)
    try {
      const [account] = (await eth.request({ method: 'eth_requestAccounts' })) as string[]
      if (!account) throw new Error(t('dash.wallet.noAccount'))
      const sig = (await eth.request({
        method: 'personal_sign',
        params: [challenge.message, account],
      })) as string
      setAddress(account)
      setSignature(sig)
    } catch (err) {
      setError(t('err.generic', { detail: err instanceof Error ? err.message : String(err) }))
    }
  }
  const bind = async (e: Event) => {
    e.preventDefault()
    if (!challenge) return
    if (!isValidEvmAddress(address.trim())) return setError(t('payout.badAddress'))
    if (!SIGNATURE.test(signature.trim())) return setError(t('dash.wallet.badSignature'))
    setBusy(true)
    setError(null)
    try {
      const r = await bindWallet({
        wallet_address: address.trim(),
        signature: signature.trim(),
        nonce: challenge.nonce,
      })
      setDone(t('dash.wallet.bound', { address: r.wallet_address }))
      setChallenge(null)
      setSignature('')
      await profile.reload()
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const bound = profile.data?.wallet_address
  return (
    <DashLayout title={t('dash.wallet.title')}>
      <ErrorText message={profile.error ?? deposit.error} />
      <div class="grid2">
        <section class="panel" aria-labelledby="bound">
          <h2 id="bound">{t('dash.wallet.boundTitle')}</h2>
          {profile.data &&
            (bound ? (
              <p>
                <code class="address">{bound}</code>
              </p>
            ) : (
              <p>{t('dash.wallet.none')}</p>
            ))}
          <p class="hint">{t('dash.wallet.why')}</p>
        </section>
        <section class="panel" aria-labelledby="deposit">
          <h2 id="deposit">{t('dash.wallet.depositTitle')}</h2>
          {deposit.data === null && !deposit.error && <p>{t('dash.wallet.noDeposit')}</p>}
          {deposit.data && (
            <>
              <p>{t('dash.wallet.sendTo', { token: deposit.data.token, chain: deposit.data.chain })}</p>
              <p>
                <code class="address">{deposit.data.address}</code>
              </p>
              <CopyButton text={deposit.data.address} label={t('dash.wallet.copyAddress')} />
              <p class="hint">
                {t('dash.wallet.contract')} <code class="address">{deposit.data.token_contract}</code>
              </p>
              {!bound && <p class="error">{t('dash.wallet.bindFirst')}</p>}
            </>
          )}
        </section>
      </div>
      <section class="panel" aria-labelledby="bind">
        <h2 id="bind">{bound ? t('dash.wallet.rebind') : t('dash.wallet.bind')}</h2>
        {!challenge && (
          <>
            <p>{t('dash.wallet.step1')}</p>
            <button type="button" disabled={busy} onClick={ask}>
              {t('dash.wallet.getChallenge')}
            </button>
          </>
        )}
        {challenge && (
          <form class="stack" onSubmit={bind}>
            <p>{t('dash.wallet.step2', { when: formatDate(challenge.expires_at) })}</p>
            <pre>{challenge.message}</pre>
            <div class="row-actions">
              <CopyButton text={challenge.message} label={t('dash.wallet.copyMessage')} />
              {injected() && (
                <button type="button" class="secondary" onClick={signInBrowser}>
                  {t('dash.wallet.signBrowser')}
                </button>
              )}
            </div>
            <label>
              {t('dash.wallet.address')}
              <input
                value={address}
                required
                autocomplete="off"
                spellcheck={false}
                onInput={(e) => setAddress(e.currentTarget.value)}
              />
            </label>
            <label>
              {t('dash.wallet.signature')}
              <textarea
                value={signature}
                required
                rows={3}
                spellcheck={false}
                onInput={(e) => setSignature(e.currentTarget.value)}
              />
            </label>
            <button type="submit" disabled={busy}>
              {t('dash.wallet.bindSubmit')}
            </button>
          </form>
        )}
        <ErrorText message={error} />
        {done && (
          <p class="ok" role="status">
            {done}
          </p>
        )}
      </section>
    </DashLayout>
  )
}
