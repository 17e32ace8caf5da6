import * as http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_RESPONSE_BYTES,
  startRuntimeApi,
  type LocalRuntimeApi,
} from '../../../src/bundle/runtime-api.js';

/** The production Runtime API at the wire: what a custom runtime sends and gets back. */

const ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:api';
let api: LocalRuntimeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  method: string,
  route: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const [host, port] = api!.address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port: Number(port), method, path: `/2018-06-01/runtime/${route}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function start(payload = '{"ping":true}'): Promise<LocalRuntimeApi> {
  api = await startRuntimeApi({ payload, functionArn: ARN, deadlineMs: 1_900_000_000_000 });
  return api;
}

describe('the local Runtime API', () => {
  it("hands out the event with Lambda's headers, and takes the response", async () => {
    const a = await start();
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const next = await request('GET', 'invocation/next');
    expect(next.status).toBe(200);
    expect(next.body).toBe('{"ping":true}');
    expect(next.headers['lambda-runtime-aws-request-id']).toBe(a.requestId);
    expect(next.headers['lambda-runtime-deadline-ms']).toBe('1900000000000');
    expect(next.headers['lambda-runtime-invoked-function-arn']).toBe(ARN);
    expect(next.headers['lambda-runtime-trace-id']).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    expect(a.firstNextAt()).toBeGreaterThan(0);
    const posted = await request('POST', `invocation/${a.requestId}/response`, '{"pong":1}');
    expect(posted.status).toBe(202);
    await expect(a.outcome).resolves.toMatchObject({ kind: 'response', body: '{"pong":1}' });
    expect(a.requests).toEqual([
      'GET /2018-06-01/runtime/invocation/next 200',
      `POST /2018-06-01/runtime/invocation/${a.requestId}/response 202`,
    ]);
  });

  it('records an invocation error with its error type', async () => {
    const a = await start();
    await request('GET', 'invocation/next');
    const r = await request('POST', `invocation/${a.requestId}/error`, '{"errorMessage":"boom"}', {
      'Lambda-Runtime-Function-Error-Type': 'Runtime.Unhandled',
    });
    expect(r.status).toBe(202);
    await expect(a.outcome).resolves.toMatchObject({
      kind: 'invocation-error',
      errorType: 'Runtime.Unhandled',
      body: '{"errorMessage":"boom"}',
    });
  });

  it('records an init error before the event, refuses one after it (403)', async () => {
    const a = await start();
    expect((await request('POST', 'init/error', '{"errorMessage":"no config"}')).status).toBe(202);
    await expect(a.outcome).resolves.toMatchObject({
      kind: 'init-error',
      body: '{"errorMessage":"no config"}',
    });
    const b = await startRuntimeApi({ payload: '{}', functionArn: ARN, deadlineMs: 0 });
    try {
      const [host, port] = b.address.split(':');
      await new Promise<void>((resolve) => {
        http.get({ host, port: Number(port), path: '/2018-06-01/runtime/invocation/next' }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
      });
      const status = await new Promise<number>((resolve) => {
        const req = http.request(
          { host, port: Number(port), method: 'POST', path: '/2018-06-01/runtime/init/error' },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.end('{}');
      });
      expect(status).toBe(403);
    } finally {
      await b.close();
    }
  });

  it('answers 400 for another request ID, 404 for another route, 413 over 6 MB (an invocation error)', async () => {
    const a = await start();
    expect((await request('POST', 'invocation/not-the-id/response', '{}')).status).toBe(400);
    expect((await request('GET', 'invocation/what')).status).toBe(404);
    await request('GET', 'invocation/next');
    const big = await request(
      'POST',
      `invocation/${a.requestId}/response`,
      Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61),
    );
    expect(big.status).toBe(413);
    await expect(a.outcome).resolves.toMatchObject({
      kind: 'invocation-error',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  it('answers a request ID that is not percent-encoded right as another request ID (400, recorded)', async () => {
    const a = await start();
    await request('GET', 'invocation/next');
    const bad = await request('POST', 'invocation/%ZZ/response', '{}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ errorType: 'InvalidRequestID' });
    expect(a.requests).toContain('POST /2018-06-01/runtime/invocation/%ZZ/response 400');
  });

  it('keeps a second GET next waiting (one event), until close()', async () => {
    const a = await start();
    await request('GET', 'invocation/next');
    let settled = false;
    const second = request('GET', 'invocation/next').then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await a.close();
    api = undefined;
    await second;
    expect(settled).toBe(true);
  });
});
