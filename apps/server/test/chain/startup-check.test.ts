import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { getAddress } from 'viem'
import { EXIT } from '../../src/cli/exit-codes.ts'
import { runHumcli, startHumcliServe } from '../helpers/harness.ts'
import { ANVIL_CHAIN_ID, useAnvil } from './anvil.ts'

/** `humcli serve` checks the chain before it listens: a wrong setting stops it with a sentence naming it. */
const node = useAnvil()

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

function env(over: Record<string, string>): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-startup-'))
  return {
    HUMCLI_DATA_DIR: dir,
    PORT: '0',
    LOG_LEVEL: 'error',
    HUMCLI_WORKERS: 'off',
    HUMCLI_CHAIN_RPC_URL: node().rpcUrl,
    HUMCLI_CHAIN_ID: String(ANVIL_CHAIN_ID),
    HUMCLI_USDC_CONTRACT: getAddress(node().usdc),
    HUMCLI_DEPOSIT_ADDRESS: '0x52908400098527886E0F7030069857D2E4169EE7',
    HUMCLI_CHAIN_CONFIRMATIONS: '1',
    ...over,
  }
}

/** Runs `humcli serve`, which must exit by itself (never listen) with the configuration exit code. */
async function refused(over: Record<string, string>, command = 'serve'): Promise<string> {
  const r = await runHumcli([command], env(over), 90_000)
  assert.equal(r.signal, null, `serve did not stop by itself:\n${r.stdout}\n${r.stderr}`)
  assert.equal(r.code, EXIT.CONFIG, r.stderr)
  assert.doesNotMatch(r.stdout, /listening on/)
  return r.stderr
}

test('an unreachable RPC stops serve naming HUMCLI_CHAIN_RPC_URL, without the URL path (it may hold an API key)', {
  timeout: 120_000,
}, async () => {
  const url = `http://127.0.0.1:${await closedPort()}/v2/sEcReTaPiKeY`
  const stderr = await refused({ HUMCLI_CHAIN_RPC_URL: url })
  assert.match(
    stderr,
    /^humcli: HUMCLI_CHAIN_RPC_URL does not answer JSON-RPC \(127\.0\.0\.1:\d+: .*check the URL/m,
  )
  assert.doesNotMatch(stderr, /sEcReTaPiKeY/)
})

test('a URL that is not JSON-RPC at all stops serve naming HUMCLI_CHAIN_RPC_URL', {
  timeout: 120_000,
}, async () => {
  assert.match(
    await refused({ HUMCLI_CHAIN_RPC_URL: 'ftp://example' }),
    /HUMCLI_CHAIN_RPC_URL must be an http\(s\) URL/,
  )
})

test('a chain id that does not match the node stops serve naming HUMCLI_CHAIN_ID', {
  timeout: 120_000,
}, async () => {
  const mismatch = new RegExp(
    `HUMCLI_CHAIN_ID is 8453 but the node at HUMCLI_CHAIN_RPC_URL serves chain ${ANVIL_CHAIN_ID}`,
  )
  assert.match(await refused({ HUMCLI_CHAIN_ID: '8453' }), mismatch)
  assert.match(await refused({ HUMCLI_CHAIN_ID: '8453' }, 'worker'), mismatch, '`humcli worker` checks too')
})

test('a USDC address with no contract stops serve naming HUMCLI_USDC_CONTRACT', {
  timeout: 120_000,
}, async () => {
  const nothing = getAddress('0x000000000000000000000000000000000000dEaD')
  const stderr = await refused({ HUMCLI_USDC_CONTRACT: nothing })
  assert.match(
    stderr,
    new RegExp(`HUMCLI_USDC_CONTRACT ${nothing} has no contract on chain ${ANVIL_CHAIN_ID}`),
  )
})

test('the right settings start serve (the same node and contract)', { timeout: 120_000 }, async (t) => {
  const server = await startHumcliServe(env({}), [], 90_000)
  t.after(() => server.stop())
  const health = await fetch(`${server.url}/healthz`)
  assert.equal(health.status, 200)
})
