#!/usr/bin/env node
// Compiles apps/server/test/chain/contracts/TestUSDC.sol with solc from npm and writes TestUSDC.json (ABI and
// bytecode) beside it. The artifact is committed so the chain tests start without compiling;
// `--check` compiles and exits non-zero when the committed artifact differs from the source.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const solc = createRequire(import.meta.url)('solc')
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../apps/server/test/chain/contracts')
const source = fs.readFileSync(path.join(dir, 'TestUSDC.sol'), 'utf8')
const input = {
  language: 'Solidity',
  sources: { 'TestUSDC.sol': { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { TestUSDC: ['abi', 'evm.bytecode.object'] } },
  },
}
const output = JSON.parse(solc.compile(JSON.stringify(input)))
const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage)
  process.exit(1)
}
const contract = output.contracts['TestUSDC.sol'].TestUSDC
const artifact = `${JSON.stringify(
  { compiler: solc.version(), abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` },
  null,
  2,
)}\n`
const target = path.join(dir, 'TestUSDC.json')
if (process.argv.includes('--check')) {
  const same = fs.existsSync(target) && fs.readFileSync(target, 'utf8') === artifact
  console.log(
    same
      ? 'TestUSDC.json matches TestUSDC.sol'
      : 'TestUSDC.json is stale: run node scripts/build-test-usdc.mjs',
  )
  process.exit(same ? 0 : 1)
}
fs.writeFileSync(target, artifact)
console.log(`wrote ${path.relative(process.cwd(), target)} (${solc.version()})`)
