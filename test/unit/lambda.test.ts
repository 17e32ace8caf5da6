import { describe, expect, it } from 'vitest';
import {
  DEPRECATED_RUNTIMES,
  ELF_MACHINE,
  LAMBDA_LD_LIBRARY_PATH,
  LAMBDA_RUNTIMES,
  LAMBDA_TASK_ROOT,
  lambdaArchOf,
  lambdaArchOfNode,
  lambdaEnvironment,
  RESERVED_ENVIRONMENT,
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

  it("give a bootstrap Lambda's environment: the function, its Region, the Runtime API, LD_LIBRARY_PATH", () => {
    const env = lambdaEnvironment({
      functionName: 'api',
      region: 'eu-west-1',
      memoryMb: 256,
      taskRoot: '/var/task',
      runtimeApi: '127.0.0.1:9001',
    });
    expect(env).toMatchObject({
      LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH,
      LAMBDA_TASK_ROOT: '/var/task',
      _HANDLER: 'bootstrap',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'api',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    });
    // Every variable it sets is one Lambda reserves: a function cannot set them itself.
    for (const k of Object.keys(env).filter((k) => !['PATH', 'LD_LIBRARY_PATH', 'LANG', 'TZ'].includes(k)))
      expect(RESERVED_ENVIRONMENT.has(k), k).toBe(true);
  });
});
