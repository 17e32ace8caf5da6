#!/usr/bin/env node
import { runAction } from './main.js';

// A runner starts `node dist/index.js` with no arguments (main and post step);
// the local command (`nix-lambda package ...`) always has some. The stages' modules are
// loaded when they run (src/pipeline.ts), so this entry stays small.
if (process.argv.length > 2)
  process.exitCode = await (await import('./cli.js')).runCli(process.argv.slice(2));
else await runAction();
