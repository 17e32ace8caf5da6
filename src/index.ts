#!/usr/bin/env node
// A runner starts `node dist/index.js` with no arguments (main and post step);
// the local command (`nix-lambda package ...`) always has some.
if (process.argv.length > 2)
  process.exitCode = await (await import('./cli.js')).runCli(process.argv.slice(2));
else await (await import('./main.js')).runAction();
