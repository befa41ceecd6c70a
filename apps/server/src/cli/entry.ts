// The process entry of the `humcli` command (bin/humcli.js loads its compiled form).
import { main } from './main.ts'

await main(process.argv)
