#!/usr/bin/env node
import { isPostStep } from './action/step.js';

// A runner starts `node dist/index.js` with no arguments (main and post step); the local command
// (`nix-lambda package ...`) has some, or comes through dist/cli.js (package.json bin), which sets
// NIX_LAMBDA_CLI. The heavy libraries are loaded where they are used (the deploy stage with the AWS
// SDK and adm-zip, libdeflate, @actions/cache; see src/action/pipeline.ts), and the post step loads
// only its own code (pushes, the closure cache), so this entry stays small.
const asCommand = process.argv.length > 2 || process.env['NIX_LAMBDA_CLI'] === '1';
delete process.env['NIX_LAMBDA_CLI'];
if (asCommand) process.exitCode = await (await import('./cli.js')).runCli(process.argv.slice(2));
else if (isPostStep()) await (await import('./action/post.js')).runPostStep();
else await (await import('./action/main.js')).runAction();
