#!/usr/bin/env node
// The local command (package.json bin): dist/index.js in command mode.
process.env.NIX_LAMBDA_CLI = '1';
await import('./index.js');
