import { describe, expect, it } from 'vitest';
import {
  DEPRECATED_RUNTIMES,
  ELF_MACHINE,
  LAMBDA_LD_LIBRARY_PATH,
  LAMBDA_RUNTIMES,
  LAMBDA_TASK_ROOT,
  lambdaArchOf,
  lambdaArchOfNode,
} from '../../src/lambda.js';

describe("Lambda's facts", () => {
  it('name the architectures by ELF machine and by Node, and nothing else', () => {
    expect(lambdaArchOf(ELF_MACHINE.x86_64)).toBe('x86_64');
    expect(lambdaArchOf(183)).toBe('arm64');
    expect(lambdaArchOf(40)).toBeUndefined(); // 32-bit ARM
    expect(lambdaArchOfNode('x64')).toBe('x86_64');
    expect(lambdaArchOfNode('arm64')).toBe('arm64');
    expect(lambdaArchOfNode('ia32')).toBeUndefined();
  });

  it('put /lib64 before the task root on LD_LIBRARY_PATH (why the bundle needs DT_RPATH)', () => {
    const dirs = LAMBDA_LD_LIBRARY_PATH.split(':');
    expect(dirs.indexOf('/lib64')).toBeLessThan(dirs.indexOf(`${LAMBDA_TASK_ROOT}/lib`));
  });

  it('create functions with the first runtime, which is not deprecated', () => {
    expect(LAMBDA_RUNTIMES[0]).toBe('provided.al2023');
    expect(DEPRECATED_RUNTIMES).not.toContain(LAMBDA_RUNTIMES[0]);
  });
});
