#!/usr/bin/env node
import { runCli } from './cli.js';
import { runAction } from './main.js';

// A runner starts `node dist/index.js` with no arguments (main and post step);
// the local command (`nix-lambda package ...`) always has some.
if (process.argv.length > 2) process.exitCode = await runCli(process.argv.slice(2));
else await runAction();
