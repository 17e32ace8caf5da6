import { builtOutputs, programOutputs } from '../action/outputs.js';
import { checkProgramFile, chooseProgram } from '../bundle/program.js';
import { applyNixConfig, exportVar, jobNix, writeSecretFile, type JobContext } from '../context.js';
import { BUILD_TAIL_LINES, BuildLog, explainBuildFailure } from '../nix/build.js';
import { completeBuilders, sshOptions } from '../nix/builders.js';
import { measureSpace } from '../nix/disk.js';
import { ActionError } from '../util/errors.js';
import { CommandError } from '../util/exec.js';
import { findOnPath } from '../util/fs.js';

/**
 * Stage 3: `nix build <flake> --json --no-link`, with the build log streamed
 * into the log group, then the runtime closure and the program inside the output.
 */
export async function build(ctx: JobContext): Promise<void> {
  const { log } = ctx;
  const inputs = ctx.inputs.build;
  log.info(`nix build ${inputs.installable}`);
  const nix = await jobNix(ctx);
  if (inputs.builders) configureBuilders(ctx);
  const buildLog = new BuildLog(log);
  let result;
  try {
    result = await nix.build(inputs.installable, {
      printBuildLogs: true,
      errorTitle: 'Nix build failed',
      tailLines: BUILD_TAIL_LINES,
      onLine: buildLog.onLine,
    });
  } catch (err) {
    if (err instanceof CommandError)
      throw explainBuildFailure(err, { ...inputs, workspace: ctx.runner.workspace }, buildLog.tail(), () =>
        measureSpace(['/nix/store', process.env['TMPDIR'] || '/tmp']),
      );
    throw err;
  }
  const outputs = result.outputs;
  const outPath = outputs['out'] ?? Object.values(outputs)[0];
  if (!outPath)
    throw new ActionError('Nothing built', `nix build ${inputs.installable} reported no outputs.`);
  const closure = await nix.closure([outPath]);
  log.info(`Built ${outPath} (runtime closure: ${closure.length} store paths)`);
  ctx.post.storePaths = Object.values(outputs);
  ctx.post.buildSucceeded = true;
  ctx.setOutputs(builtOutputs(outPath));

  const choice = chooseProgram(outPath, inputs.program);
  checkProgramFile(choice, outPath);
  ctx.build = {
    installable: inputs.installable,
    drvPath: result.drvPath,
    outPath,
    outputs,
    closure,
    programRel: choice.rel,
    programPath: choice.path,
  };
  ctx.setOutputs(programOutputs(ctx.build));
  log.info(`Program: ${choice.rel}`);
}

/**
 * Remote builders: the SSH key in a 0600 file of the job's private folder (the post step removes
 * it), builder-known-hosts in a known_hosts file beside it, and `builders` completed with both
 * (nix/builders.ts) in NIX_CONFIG. NIX_SSHOPTS points the ssh Nix runs itself at the known_hosts
 * file; a nix-daemon reads the key file and the host keys from the builders string.
 */
function configureBuilders(ctx: JobContext): void {
  const { log } = ctx;
  const b = ctx.inputs.build.builders!;
  if (!ctx.nix?.daemon && !findOnPath(['ssh']))
    throw new ActionError(
      'ssh not found',
      'Input `builders`: Nix reaches remote builders with `ssh`, which is not on PATH: install the OpenSSH client (apt-get install openssh-client) in an earlier step.',
    );
  const keyFile = b.sshKey ? writeSecretFile(ctx, 'builder-ssh-key', b.sshKey) : undefined;
  const knownHostsFile = b.knownHostsText
    ? writeSecretFile(ctx, 'builder-known-hosts', b.knownHostsText)
    : undefined;
  const builders = completeBuilders(b.parsed, { keyFile, knownHosts: b.knownHosts });
  applyNixConfig(ctx, [`builders = ${builders}`]);
  if (knownHostsFile)
    exportVar(ctx, 'NIX_SSHOPTS', sshOptions(process.env['NIX_SSHOPTS'] ?? '', knownHostsFile));
  log.info(`Remote builders: ${builders}`);
  if (keyFile) log.info(`The builders' SSH key is in ${keyFile} (mode 0600); the post step removes it.`);
  if (knownHostsFile) log.info(`Their host keys are in ${knownHostsFile}, checked strictly (NIX_SSHOPTS).`);
}
