// The process entry of the `humcli` command (bin/humcli.js loads its compiled form).
// `humcli --version` answers before any command module loads: scripts call it to check the
// install, and the full command tree takes most of a second to import.
import { VERSION } from '../version.ts'

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`)
} else {
  const { main } = await import('./main.ts')
  await main(process.argv)
}
