// `node --import ./module-log.mjs`: appends the URL of every module the process loads (the entry,
// the chunks of dist/ it imports) to the file NIX_LAMBDA_MODULE_LOG names, one a line.
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
