#!/usr/bin/env node
// Entry point of the `humcli` command: the compiled JavaScript in dist/, built by `npm install`
// (the root `prepare` script) or `npm run build`. `npm run dev` runs the TypeScript sources instead.
import '../dist/cli/entry.js'
