import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Lambda Runtime API (version 2018-06-01) on 127.0.0.1 that hands one event to a custom
 * runtime and reports what the runtime did with it, as Lambda's own endpoint behaves:
 *
 *   GET  /2018-06-01/runtime/invocation/next          the event, with Lambda-Runtime-Aws-Request-Id,
 *                                                     -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id;
 *                                                     no timeout (a later GET waits until close())
 *   POST /2018-06-01/runtime/invocation/{id}/response 202; over 6 MB: 413 and an invocation error
 *   POST /2018-06-01/runtime/invocation/{id}/error    202; an invocation error
 *   POST /2018-06-01/runtime/init/error               202; an init error (403 once the event is out)
 *
 * A request ID that is not the event's answers 400 InvalidRequestID; any other route 404.
 */

export const RUNTIME_API_PREFIX = '/2018-06-01/runtime';
/** Lambda's limit on a synchronous response. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export type RuntimeOutcome =
  | { kind: 'response'; body: string; at: number }
  | { kind: 'invocation-error' | 'init-error'; errorType: string | undefined; body: string; at: number };

export interface RuntimeApiOptions {
  /** The event, as JSON text. */
  payload: string;
  /** Sent as Invoked-Function-Arn. */
  functionArn: string;
  /** Sent as Lambda-Runtime-Deadline-Ms: the epoch time the invocation must end by. */
  deadlineMs: number;
}

export interface LocalRuntimeApi {
  /** "127.0.0.1:PORT", the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  requestId: string;
  /** When the first GET .../next arrived (performance.now() time), if it has. */
  firstNextAt(): number | undefined;
  /** Settles with the runtime's first answer: its response, an invocation error or an init error. */
  outcome: Promise<RuntimeOutcome>;
  /** "METHOD /path STATUS" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body, or undefined when it is over limit bytes (the rest is read and dropped). */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** A request ID from the path, undefined when its percent-encoding is malformed (then not the event's). */
function decodedId(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function errorType(req: http.IncomingMessage): string | undefined {
  const h = req.headers['lambda-runtime-function-error-type'];
  return typeof h === 'string' ? h : undefined;
}

/** The event, with the headers Lambda sends along. */
function sendEvent(res: http.ServerResponse, opts: RuntimeApiOptions, requestId: string): void {
  const traceTime = Math.floor(Date.now() / 1000).toString(16);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(opts.payload),
    'Lambda-Runtime-Aws-Request-Id': requestId,
    'Lambda-Runtime-Deadline-Ms': String(opts.deadlineMs),
    'Lambda-Runtime-Invoked-Function-Arn': opts.functionArn,
    'Lambda-Runtime-Trace-Id': `Root=1-${traceTime}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
  });
  res.end(opts.payload);
}

/** Listens on 127.0.0.1 (a free port); GET .../next has no timeout on Lambda. */
async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Starts the server; close() ends it (and every GET still waiting). */
export async function startRuntimeApi(opts: RuntimeApiOptions): Promise<LocalRuntimeApi> {
  const requestId = randomUUID();
  const requests: string[] = [];
  let firstNext: number | undefined;
  let handedOut = false;
  let settled = false;
  let settle!: (o: RuntimeOutcome) => void;
  const outcome = new Promise<RuntimeOutcome>((resolve) => {
    settle = (o) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
  });

  const deliver = (res: http.ServerResponse): void => {
    handedOut = true;
    sendEvent(res, opts, requestId);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = (req.url ?? '').split('?')[0] ?? '';
    const method = req.method ?? '';
    const log = (status: number): void => {
      requests.push(`${method} ${url} ${status}`);
    };
    if (method === 'GET' && url === `${RUNTIME_API_PREFIX}/invocation/next`) {
      firstNext ??= performance.now();
      log(handedOut ? 0 : 200);
      // One event: later GETs wait, as Lambda's do between invocations, until close().
      if (!handedOut && !settled) deliver(res);
      return;
    }
    const body = method === 'POST' ? await readBody(req, MAX_RESPONSE_BYTES) : '';
    const at = performance.now();
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (method === 'POST' && m) {
      if (decodedId(m[1]!) !== requestId || !handedOut) {
        log(400);
        reply(res, 400, { errorMessage: `Invalid request ID: ${m[1]!}`, errorType: 'InvalidRequestID' });
        return;
      }
      if (body === undefined) {
        log(413);
        reply(res, 413, {
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          errorType: 'RequestEntityTooLarge',
        });
        settle({
          kind: 'invocation-error',
          errorType: 'Function.ResponseSizeTooLarge',
          body: `the response is over Lambda's ${MAX_RESPONSE_BYTES} bytes`,
          at,
        });
        return;
      }
      log(202);
      reply(res, 202, { status: 'OK' });
      if (m[2] === 'response') settle({ kind: 'response', body, at });
      else settle({ kind: 'invocation-error', errorType: errorType(req), body, at });
      return;
    }
    if (method === 'POST' && url === `${RUNTIME_API_PREFIX}/init/error`) {
      if (handedOut) {
        log(403);
        reply(res, 403, {
          errorMessage: 'init/error after the first invocation',
          errorType: 'InvalidStateTransition',
        });
        return;
      }
      log(202);
      reply(res, 202, { status: 'OK' });
      settle({ kind: 'init-error', errorType: errorType(req), body: body ?? '', at });
      return;
    }
    log(404);
    reply(res, 404, { errorMessage: `no route ${method} ${url}`, errorType: 'NotFound' });
  };

  const { server, port } = await listen((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, { errorMessage: String(e), errorType: 'ServerError' });
    });
  });
  return {
    address: `127.0.0.1:${port}`,
    requestId,
    firstNextAt: () => firstNext,
    outcome,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
