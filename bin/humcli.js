#!/usr/bin/env node
// Entry point of the `humcli` command: loads the TypeScript sources through tsx, so a clone
// runs with `npm install` alone and no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
await main(process.argv)
