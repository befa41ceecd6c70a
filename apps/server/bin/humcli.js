#!/usr/bin/env node
// Entry point of the `humcli` command: the compiled JavaScript bundled into dist/humcli.js and its
// chunks (scripts/bundle-server.mjs), built by `npm install` (the root `prepare` script) or
// `npm run build`. `npm run dev` runs the TypeScript sources instead.
import '../dist/humcli.js'
