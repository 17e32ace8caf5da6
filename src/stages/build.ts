import { builtOutputs, programOutputs } from '../action/outputs.js';
import { checkProgramFile, chooseProgram } from '../bundle/program.js';
import { jobNix, type JobContext } from '../context.js';
import { BUILD_TAIL_LINES, BuildLog, explainBuildFailure } from '../nix/build.js';
import { ActionError } from '../util/errors.js';
import { CommandError } from '../util/exec.js';

/**
 * Stage 3: `nix build <flake> --json --no-link`, with the build log streamed
 * into the log group, then the runtime closure and the program inside the output.
 */
export async function build(ctx: JobContext): Promise<void> {
  const { log } = ctx;
  const inputs = ctx.inputs.build;
  log.info(`nix build ${inputs.installable}`);
  const nix = await jobNix(ctx);
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
      throw explainBuildFailure(err, { ...inputs, workspace: ctx.runner.workspace }, buildLog.tail());
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
