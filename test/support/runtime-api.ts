import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Lambda Runtime API (2018-06-01) on 127.0.0.1, enough for a custom runtime's loop:
 * GET  /2018-06-01/runtime/invocation/next           waits for an event (no timeout, like Lambda)
 * POST /2018-06-01/runtime/invocation/{id}/response  resolves that invoke
 * POST /2018-06-01/runtime/invocation/{id}/error     recorded; rejects that invoke
 * POST /2018-06-01/runtime/init/error                recorded; rejects every pending invoke
 */

export interface InvokeResult {
  /** The body the runtime POSTed to .../response. */
  body: string;
  requestId: string;
}

export interface RuntimeApiError {
  kind: 'invocation' | 'init';
  /** The invocation's id (kind 'invocation'). */
  requestId?: string;
  /** Header Lambda-Runtime-Function-Error-Type, when sent. */
  errorType: string | undefined;
  body: string;
}

export interface InvokeOptions {
  /** Reject when no response or error arrives in time (default 30 s). 0: wait forever. */
  timeoutMs?: number;
  /** Sent as Lambda-Runtime-Deadline-Ms (epoch ms); default now + 30 s. */
  deadlineMs?: number;
}

export interface RuntimeApi {
  /** "127.0.0.1:PORT", the value for AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Queues `JSON.stringify(event)` for the next GET .../next; settles on .../response or .../error. */
  invoke(event: unknown, opts?: InvokeOptions): Promise<InvokeResult>;
  /** Every error the runtime reported, in order. */
  errors: RuntimeApiError[];
  /** "METHOD /path" of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:test-function';
const PREFIX = '/2018-06-01/runtime';

interface Pending {
  id: string;
  payload: string;
  deadlineMs: number;
  resolve: (r: InvokeResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/** JSON.stringify is typed as returning a string; it returns undefined for undefined (sent as null). */
function toJson(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queued: Pending[] = []; // not yet handed to the runtime
  const inFlight = new Map<string, Pending>(); // handed out, awaiting response/error
  const waiters: http.ServerResponse[] = []; // GET .../next requests waiting for an event
  const errors: RuntimeApiError[] = [];
  const requests: string[] = [];

  const settle = (p: Pending): void => {
    clearTimeout(p.timer);
    inFlight.delete(p.id);
    const i = queued.indexOf(p);
    if (i >= 0) queued.splice(i, 1);
  };

  const deliver = (res: http.ServerResponse, p: Pending): void => {
    inFlight.set(p.id, p);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(p.payload),
      'Lambda-Runtime-Aws-Request-Id': p.id,
      'Lambda-Runtime-Deadline-Ms': String(p.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=0000000000000000;Sampled=0`,
    });
    res.end(p.payload);
  };

  const pump = (): void => {
    while (queued.length > 0 && waiters.length > 0) {
      const res = waiters.shift()!;
      if (res.destroyed || res.writableEnded) continue;
      deliver(res, queued.shift()!);
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = (req.url ?? '').split('?')[0] ?? '';
    requests.push(`${req.method ?? ''} ${url}`);
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      waiters.push(res);
      res.on('close', () => {
        const i = waiters.indexOf(res);
        if (i >= 0) waiters.splice(i, 1);
      });
      pump();
      return;
    }
    const body = req.method === 'POST' ? await readBody(req) : '';
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const id = decodeURIComponent(m[1]!);
      const p = inFlight.get(id);
      if (!p) {
        reply(res, 400, { errorMessage: `Invalid request ID: ${id}`, errorType: 'InvalidRequestID' });
        return;
      }
      settle(p);
      if (m[2] === 'response') {
        p.resolve({ body, requestId: id });
      } else {
        const errorType = req.headers['lambda-runtime-function-error-type'];
        errors.push({
          kind: 'invocation',
          requestId: id,
          errorType: typeof errorType === 'string' ? errorType : undefined,
          body,
        });
        p.reject(new Error(`the runtime reported an invocation error for ${id}: ${body}`));
      }
      reply(res, 202, { status: 'OK' });
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      const errorType = req.headers['lambda-runtime-function-error-type'];
      errors.push({ kind: 'init', errorType: typeof errorType === 'string' ? errorType : undefined, body });
      for (const p of [...queued, ...inFlight.values()]) {
        settle(p);
        p.reject(new Error(`the runtime reported an init error: ${body}`));
      }
      reply(res, 202, { status: 'OK' });
      return;
    }
    reply(res, 404, { errorMessage: `no route ${req.method ?? ''} ${url}`, errorType: 'NotFound' });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, { errorMessage: String(e), errorType: 'ServerError' });
    });
  });
  // /next has no timeout on Lambda: a runtime may wait on it indefinitely.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    errors,
    requests,
    invoke(event: unknown, opts: InvokeOptions = {}): Promise<InvokeResult> {
      return new Promise<InvokeResult>((resolve, reject) => {
        const p: Pending = {
          id: randomUUID(),
          payload: toJson(event) ?? 'null',
          deadlineMs: opts.deadlineMs ?? Date.now() + 30_000,
          resolve,
          reject,
        };
        const timeoutMs = opts.timeoutMs ?? 30_000;
        if (timeoutMs > 0) {
          p.timer = setTimeout(() => {
            settle(p);
            reject(new Error(`invoke ${p.id}: no response within ${timeoutMs} ms`));
          }, timeoutMs);
        }
        queued.push(p);
        pump();
      });
    },
    async close(): Promise<void> {
      for (const p of [...queued, ...inFlight.values()]) {
        settle(p);
        p.reject(new Error('the runtime API was closed'));
      }
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
