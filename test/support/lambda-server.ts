import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import type { JobContext, PackageResult } from '../../src/context.js';
import type { DeployOptions } from '../../src/deploy/types.js';
import type { LambdaArch } from '../../src/lambda.js';
import { codeSha256 } from '../../src/util/hash.js';
import type { Inputs } from '../../src/inputs/parse.js';
import { jobContext, memoryLog, type MemoryLog } from './doubles.js';
import { deployOptions } from '../../src/deploy/options.js';
import { LayerApiError, LayerStore, routeLayer, type LayerOp } from './lambda-layers.js';

/**
 * A local stand-in for the AWS APIs the deploy stage calls, spoken over a real
 * socket so that the real SDK (signing, serialisation, retries, waiters) is
 * exercised: Lambda's REST API (2015-03-31) with Invoke, S3 PutObject and multipart
 * upload (path-style), STS AssumeRoleWithWebIdentity and GetCallerIdentity (query
 * protocol), and GitHub's OIDC token endpoint.
 *
 * It keeps state the way Lambda does as far as the deploy can tell: CodeSha256
 * computed from the bytes received, RevisionIds that change on every mutation,
 * LastUpdateStatus InProgress until observed (optionally for N polls, then
 * Successful or Failed with a reason), 409 while an update is in progress, 412
 * on a stale RevisionId, versions (numbered on, never reused after a delete) and
 * aliases, listed page by page. Invoke answers as a test's handler says (an error
 * with a log tail, a slow answer); throttling is a fault. Every request is
 * logged, and faults can be injected per operation.
 *
 * Model choices (documented, since AWS does not specify all of them): a failed
 * update rolls the function back to its previous code and configuration;
 * PublishVersion returns the latest version instead of a new one when nothing
 * changed since it, and does not change $LATEST's RevisionId; a finished update
 * does not change the RevisionId.
 */

export const ACCOUNT = '123456789012';

export type Op =
  | 'GetFunction'
  | 'GetFunctionConfiguration'
  | 'UpdateFunctionCode'
  | 'UpdateFunctionConfiguration'
  | 'PublishVersion'
  | 'ListVersionsByFunction'
  | 'GetAlias'
  | 'CreateAlias'
  | 'UpdateAlias'
  | 'CreateFunction'
  | 'Invoke'
  | 'ListAliases'
  | 'DeleteFunction'
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'AssumeRoleWithWebIdentity'
  | 'GetCallerIdentity'
  /** An STS request whose Action (in its body) is not read yet. */
  | 'StsQuery'
  | 'OidcToken'
  | LayerOp
  | 'Unknown';

export interface RequestRecord {
  op: Op;
  method: string;
  path: string;
  /** Bytes of request body received (after aws-chunked decoding for S3). */
  bodyBytes: number;
  /** Access key id from the Authorization header, if signed. */
  accessKeyId: string | undefined;
  function: string | undefined;
  /** HTTP status sent; 0 when the connection was reset. */
  status: number;
  /** The body was aws-chunked (streamed S3 body with a trailing checksum). */
  awsChunked: boolean;
  /** The JSON body of Lambda requests, with ZipFile replaced by its size. */
  json?: Record<string, unknown>;
}

export type Fault =
  /** Answer with this error. applyFirst: perform the operation, then answer with the error (a lost response). holdPolls: also start a "foreign" update that stays InProgress for that many polls. */
  | {
      kind: 'error';
      status: number;
      type: string;
      message?: string;
      applyFirst?: boolean;
      holdPolls?: number;
    }
  /** Destroy the connection after part of the body arrived. */
  | { kind: 'reset' }
  /** Read the request and never answer. */
  | { kind: 'hang' };

interface FaultRule {
  op: Op;
  fn: string | undefined;
  fault: Fault;
  remaining: number;
}

export interface UpdateHold {
  /** GetFunction/GetFunctionConfiguration polls that still see InProgress. */
  polls: number;
  outcome: 'Successful' | 'Failed';
  reason?: string;
  reasonCode?: string;
}

export interface CreationHold {
  polls: number;
  outcome: 'Active' | 'Failed';
  reason?: string;
  reasonCode?: string;
}

interface Settings {
  runtime: string;
  role: string;
  handler: string;
  architectures: string[];
  memorySize: number;
  timeout: number;
  description: string;
  layers: string[];
  ephemeralStorage: number;
  env: Record<string, string>;
  codeSha256: string;
  codeSize: number;
}

export interface VersionState extends Settings {
  version: string;
  revisionId: string;
}

export interface AliasState {
  name: string;
  functionVersion: string;
  revisionId: string;
  weights: Record<string, number>;
}

export interface FunctionState extends Settings {
  name: string;
  arn: string;
  packageType: 'Zip' | 'Image';
  revisionId: string;
  lastModified: string;
  state: 'Pending' | 'Active' | 'Failed';
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus: 'Successful' | 'InProgress' | 'Failed';
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  versions: VersionState[];
  /** The number of the last version published (numbers are never reused). */
  lastVersion: number;
  aliases: Map<string, AliasState>;
  /** How Invoke answers (default: the payload echoed, a short log). */
  invokeHandler?: InvokeHandler;
  /** Bytes of the code last stored (from a ZipFile or an S3 object). */
  code?: Buffer;
  // internal bookkeeping of a pending update / creation
  pendingPolls: number;
  pendingUpdate?: { outcome: UpdateHold['outcome']; reason?: string; reasonCode?: string; before: Settings };
  pendingState?: { polls: number; outcome: CreationHold['outcome']; reason?: string; reasonCode?: string };
  nextHold?: UpdateHold | undefined;
}

export interface NewFunction {
  name: string;
  architecture?: 'x86_64' | 'arm64';
  runtime?: string;
  /** Code bytes (CodeSha256 computed from them); default some bytes that match no test zip. */
  code?: Buffer;
  memorySize?: number;
  timeout?: number;
  description?: string;
  layers?: string[];
  ephemeralStorage?: number;
  env?: Record<string, string>;
  packageType?: 'Zip' | 'Image';
}

export interface ServerOptions {
  region?: string;
  /** Largest ZipFile accepted directly (Lambda: 50 MiB). */
  maxDirectZip?: number;
  /** Page size of ListVersionsByFunction when MaxItems is not given. */
  versionsPageSize?: number;
  /** The OIDC token the fake token endpoint hands out, and STS accepts. */
  oidcToken?: string;
  /** The bearer token the fake token endpoint expects (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  oidcRequestToken?: string;
}

/** What an Invoke asked for: the version it resolved to, with that version's code. */
export interface InvokeRequest {
  fn: string;
  /** As sent (a version, an alias, $LATEST), or '' when none. */
  qualifier: string;
  /** The version that runs ($LATEST or a number). */
  version: string;
  codeSha256: string;
  payload: string;
}

/** How an Invoke answers: status 200 unless said, the payload, a FunctionError, the function's log, after a delay. */
export interface InvokeAnswer {
  payload?: string;
  functionError?: 'Unhandled' | 'Handled';
  /** The log of the invocation; its last 4 KB go back base64 in X-Amz-Log-Result (LogType Tail). */
  log?: string;
  /** Answer only after this many milliseconds (a slow function). */
  delayMs?: number;
}

export type InvokeHandler = (r: InvokeRequest) => InvokeAnswer;

/** Lambda's answer to an invocation whose handler said nothing: the event echoed. */
export function echoInvoke(r: InvokeRequest): InvokeAnswer {
  const id = randomUUID();
  return {
    payload: r.payload,
    log: `START RequestId: ${id} Version: ${r.version}\nEND RequestId: ${id}\nREPORT RequestId: ${id}\tDuration: 1.00 ms\n`,
  };
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  sessionName: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export function sha256b64(b: Buffer): string {
  return createHash('sha256').update(b).digest('base64');
}

function now(): string {
  return new Date().toISOString().replace('Z', '+0000');
}

function settingsOf(f: Settings): Settings {
  return {
    runtime: f.runtime,
    role: f.role,
    handler: f.handler,
    architectures: [...f.architectures],
    memorySize: f.memorySize,
    timeout: f.timeout,
    description: f.description,
    layers: [...f.layers],
    ephemeralStorage: f.ephemeralStorage,
    env: { ...f.env },
    codeSha256: f.codeSha256,
    codeSize: f.codeSize,
  };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));
}

/** Decodes an aws-chunked body (what the SDK sends for streamed S3 bodies with trailing checksums). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0]!, 16);
    pos = eol + 2;
    if (!size) break;
    out.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
  return Buffer.concat(out);
}

export class LambdaServer {
  readonly region: string;
  readonly functions = new Map<string, FunctionState>();
  readonly objects = new Map<string, Buffer>();
  readonly requests: RequestRecord[] = [];
  readonly issued: IssuedCredentials[] = [];
  /** Creation holds applied to the next CreateFunction. */
  nextCreation: CreationHold | undefined;
  /** The account GetCallerIdentity names for keys it did not issue (the environment's). */
  callerAccount = ACCOUNT;
  /** Page size of ListVersionsByFunction and ListAliases when MaxItems is not given. */
  pageSize: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Lambda's layers (lambda-layers.ts). */
  readonly layers: LayerStore;
  /** Called once an operation has been answered successfully (a test's way to act in between two calls). */
  private readonly afterOps: { op: Op; run: () => void }[] = [];
  private readonly faults: FaultRule[] = [];
  private readonly uploads = new Map<string, { bucket: string; key: string; parts: Map<number, Buffer> }>();
  private readonly opts: Required<ServerOptions>;
  private server: http.Server | undefined;
  url = '';

  constructor(opts: ServerOptions = {}) {
    this.opts = {
      region: opts.region ?? 'us-east-1',
      maxDirectZip: opts.maxDirectZip ?? 50 * 1024 * 1024,
      versionsPageSize: opts.versionsPageSize ?? 50,
      oidcToken: opts.oidcToken ?? 'header.payload.signature',
      oidcRequestToken: opts.oidcRequestToken ?? 'request-token',
    };
    this.region = this.opts.region;
    this.pageSize = this.opts.versionsPageSize;
    this.layers = new LayerStore(`arn:aws:lambda:${this.region}:${ACCOUNT}`);
  }

  /** Runs `fn` right after the next successful `op` (once). */
  after(op: Op, fn: () => void): void {
    this.afterOps.push({ op, run: fn });
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      this.handle(req, res);
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) =>
      s.close(() => {
        resolve();
      }),
    );
  }

  // ---- test controls ----

  addFunction(spec: NewFunction): FunctionState {
    const code = spec.code ?? Buffer.from(`placeholder code of ${spec.name}`);
    const f: FunctionState = {
      name: spec.name,
      arn: this.arn(spec.name),
      packageType: spec.packageType ?? 'Zip',
      runtime: spec.runtime ?? 'provided.al2023',
      role: `arn:aws:iam::${ACCOUNT}:role/existing`,
      handler: 'bootstrap',
      architectures: [spec.architecture ?? 'x86_64'],
      memorySize: spec.memorySize ?? 128,
      timeout: spec.timeout ?? 3,
      description: spec.description ?? '',
      layers: spec.layers ?? [],
      ephemeralStorage: spec.ephemeralStorage ?? 512,
      env: { ...(spec.env ?? {}) },
      code,
      codeSha256: sha256b64(code),
      codeSize: code.length,
      revisionId: randomUUID(),
      lastModified: now(),
      state: 'Active',
      lastUpdateStatus: 'Successful',
      versions: [],
      lastVersion: 0,
      aliases: new Map(),
      pendingPolls: 0,
    };
    this.functions.set(spec.name, f);
    return f;
  }

  fn(name: string): FunctionState {
    const f = this.functions.get(name);
    if (!f) throw new Error(`no function ${name} on the test server`);
    return f;
  }

  /** Publishes a version of the function's current state (test setup). */
  publishNow(name: string): VersionState {
    const f = this.fn(name);
    f.lastVersion++;
    const v: VersionState = { ...settingsOf(f), version: String(f.lastVersion), revisionId: randomUUID() };
    f.versions.push(v);
    return v;
  }

  setAlias(name: string, alias: string, version: string, weights: Record<string, number> = {}): void {
    this.fn(name).aliases.set(alias, {
      name: alias,
      functionVersion: version,
      revisionId: randomUUID(),
      weights,
    });
  }

  /** How Invoke of the function answers from now on. */
  onInvoke(name: string, handler: InvokeHandler): void {
    this.fn(name).invokeHandler = handler;
  }

  /** The next code or configuration update of the function stays InProgress for `polls` polls, then ends as told. */
  holdNextUpdate(name: string, hold: UpdateHold): void {
    this.fn(name).nextHold = hold;
  }

  /** Starts an update by "someone else": InProgress for `polls` polls, RevisionId unchanged. */
  startForeignUpdate(name: string, polls: number): void {
    const f = this.fn(name);
    f.lastUpdateStatus = 'InProgress';
    f.pendingPolls = polls;
    f.pendingUpdate = { outcome: 'Successful', before: settingsOf(f) };
  }

  /** The next `times` requests of op (for function fn, if given) get the fault. */
  inject(op: Op, fault: Fault, opts: { times?: number; fn?: string } = {}): void {
    this.faults.push({ op, fn: opts.fn, fault, remaining: opts.times ?? 1 });
  }

  count(op: Op, fn?: string): number {
    return this.requests.filter((r) => r.op === op && (fn === undefined || r.function === fn)).length;
  }

  ops(fn?: string): Op[] {
    return this.requests.filter((r) => fn === undefined || r.function === fn).map((r) => r.op);
  }

  /** Bytes of code received by Lambda and S3 writes. */
  uploadedBytes(): number {
    const codeOps: Op[] = [
      'UpdateFunctionCode',
      'CreateFunction',
      'PutObject',
      'UploadPart',
      'PublishLayerVersion',
    ];
    return this.requests
      .filter((r) => codeOps.includes(r.op) && r.status > 0)
      .reduce((n, r) => n + r.bodyBytes, 0);
  }

  reset(): void {
    this.functions.clear();
    this.objects.clear();
    this.requests.length = 0;
    this.issued.length = 0;
    this.faults.length = 0;
    this.uploads.clear();
    this.nextCreation = undefined;
    this.callerAccount = ACCOUNT;
    this.pageSize = this.opts.versionsPageSize;
    this.layers.reset();
    this.afterOps.length = 0;
  }

  /** Asserts the invariant the deploy must keep: every alias points at an existing version. Returns alias -> CodeSha256. */
  aliasCode(name: string, alias: string): string | undefined {
    const f = this.fn(name);
    const a = f.aliases.get(alias);
    if (!a) return undefined;
    const v = a.functionVersion === '$LATEST' ? f : f.versions.find((x) => x.version === a.functionVersion);
    if (!v) throw new Error(`alias ${alias} of ${name} points at missing version ${a.functionVersion}`);
    for (const w of Object.keys(a.weights)) {
      const wv = f.versions.find((x) => x.version === w);
      if (wv && wv.codeSha256 !== v.codeSha256) return `mixed:${v.codeSha256}+${wv.codeSha256}`;
    }
    return v.codeSha256;
  }

  arn(name: string): string {
    return `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${name}`;
  }

  // ---- plumbing ----

  private takeFault(op: Op, fn: string | undefined): Fault | undefined {
    const rule = this.faults.find(
      (r) => r.op === op && r.remaining > 0 && (r.fn === undefined || r.fn === fn),
    );
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    const routed = this.route(req.method ?? 'GET', url);
    const fn = routed.fn;
    const auth = req.headers.authorization ?? '';
    const record: RequestRecord = {
      op: routed.op,
      method: req.method ?? '',
      path: url.pathname + url.search,
      bodyBytes: 0,
      accessKeyId: /Credential=([^/,\s]+)\//.exec(auth)?.[1],
      function: fn,
      status: 0,
      awsChunked: false,
    };
    this.requests.push(record);
    // STS speaks the query protocol: its operation is in the body, and so its fault is taken after it.
    const sts = routed.op === 'StsQuery';
    let fault = sts ? undefined : this.takeFault(routed.op, fn);
    const chunks: Buffer[] = [];
    let received = 0;
    if (fault?.kind === 'reset') {
      req.on('data', (c: Buffer) => {
        received += c.length;
        record.bodyBytes = received;
        req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    if (fault?.kind === 'hang') {
      req.resume();
      return;
    }
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
    });
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      const chunked =
        (req.headers['content-encoding'] ?? '').includes('aws-chunked') ||
        String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
      if (chunked) body = decodeAwsChunked(body);
      record.awsChunked = chunked;
      record.bodyBytes = body.length;
      if (sts) {
        const action = new URLSearchParams(body.toString('utf8')).get('Action');
        record.op = action === 'GetCallerIdentity' ? 'GetCallerIdentity' : 'AssumeRoleWithWebIdentity';
        fault = this.takeFault(record.op, fn);
        if (fault?.kind === 'hang') return;
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
      }
      const op = record.op;
      const send = (status: number, headers: Record<string, string>, payload: string | Buffer): void => {
        record.status = status;
        res.writeHead(status, {
          'x-amzn-requestid': randomUUID(),
          'content-length': String(Buffer.byteLength(payload)),
          ...headers,
        });
        res.end(payload);
      };
      const sendError = (e: HttpError): void => {
        if (op === 'AssumeRoleWithWebIdentity' || op === 'GetCallerIdentity')
          send(
            e.status,
            { 'content-type': 'text/xml' },
            `<ErrorResponse><Error><Type>Sender</Type><Code>${e.type}</Code><Message>${e.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
          );
        else if (
          [
            'PutObject',
            'CreateMultipartUpload',
            'UploadPart',
            'CompleteMultipartUpload',
            'AbortMultipartUpload',
          ].includes(op)
        )
          send(
            e.status,
            { 'content-type': 'application/xml' },
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${e.type}</Code><Message>${e.message}</Message><RequestId>1</RequestId></Error>`,
          );
        else
          send(
            e.status,
            { 'content-type': 'application/json', 'x-amzn-errortype': e.type },
            JSON.stringify({ Type: 'User', Message: e.message }),
          );
      };
      try {
        if (fault?.kind === 'error' && !fault.applyFirst) {
          if (fault.holdPolls !== undefined && fn && this.functions.has(fn))
            this.startForeignUpdate(fn, fault.holdPolls);
          throw new HttpError(fault.status, fault.type, fault.message ?? `injected ${fault.type}`);
        }
        const [status, headers, payload, delayMs] = this.dispatch(op, fn, req, url, body, record);
        if (fault?.kind === 'error')
          throw new HttpError(fault.status, fault.type, fault.message ?? `injected ${fault.type}`);
        if (!delayMs) send(status, headers, payload);
        else {
          // A slow function: the answer comes later, unless the client gave up (the socket is gone).
          const t = setTimeout(() => {
            this.timers.delete(t);
            if (!res.destroyed && !req.socket.destroyed) send(status, headers, payload);
          }, delayMs);
          this.timers.add(t);
        }
        const hook = this.afterOps.findIndex((h) => h.op === op);
        if (hook >= 0 && status < 300) this.afterOps.splice(hook, 1)[0]!.run();
      } catch (err) {
        if (err instanceof HttpError) sendError(err);
        else if (err instanceof LayerApiError) sendError(new HttpError(err.status, err.type, err.message));
        else sendError(new HttpError(500, 'ServiceException', (err as Error).message));
      }
    });
  }

  private route(method: string, url: URL): { op: Op; fn: string | undefined } {
    const p = url.pathname;
    const lam =
      /^\/2015-03-31\/functions(?:\/([^/]+))?(\/code|\/configuration|\/versions|\/invocations|\/aliases(?:\/([^/]+))?)?\/?$/.exec(
        p,
      );
    if (p.startsWith('/_oidc/')) return { op: 'OidcToken', fn: undefined };
    const layer = routeLayer(method, p);
    if (layer) return { op: layer.op, fn: undefined };
    if (lam) {
      const raw = lam[1] ? decodeURIComponent(lam[1]) : undefined;
      const fn = raw ? (/function:([^:]+)/.exec(raw)?.[1] ?? raw) : undefined;
      const sub = lam[2] ?? '';
      if (!raw) return { op: method === 'POST' ? 'CreateFunction' : 'Unknown', fn: undefined };
      if (sub === '')
        return {
          op: method === 'GET' ? 'GetFunction' : method === 'DELETE' ? 'DeleteFunction' : 'Unknown',
          fn,
        };
      if (sub === '/invocations') return { op: method === 'POST' ? 'Invoke' : 'Unknown', fn };
      if (sub === '/code') return { op: method === 'PUT' ? 'UpdateFunctionCode' : 'Unknown', fn };
      if (sub === '/configuration')
        return { op: method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration', fn };
      if (sub === '/versions')
        return { op: method === 'POST' ? 'PublishVersion' : 'ListVersionsByFunction', fn };
      if (sub === '/aliases') return { op: method === 'POST' ? 'CreateAlias' : 'ListAliases', fn };
      return { op: method === 'PUT' ? 'UpdateAlias' : 'GetAlias', fn };
    }
    if (method === 'POST' && p === '/') return { op: 'StsQuery', fn: undefined };
    const q = url.searchParams;
    if (method === 'POST' && q.has('uploads')) return { op: 'CreateMultipartUpload', fn: undefined };
    if (method === 'PUT' && q.has('uploadId')) return { op: 'UploadPart', fn: undefined };
    if (method === 'POST' && q.has('uploadId')) return { op: 'CompleteMultipartUpload', fn: undefined };
    if (method === 'DELETE' && q.has('uploadId')) return { op: 'AbortMultipartUpload', fn: undefined };
    if (method === 'PUT') return { op: 'PutObject', fn: undefined };
    return { op: 'Unknown', fn: undefined };
  }

  private dispatch(
    op: Op,
    fn: string | undefined,
    req: http.IncomingMessage,
    url: URL,
    body: Buffer,
    record: RequestRecord,
  ): [number, Record<string, string>, string | Buffer, number?] {
    const json = (status: number, value: unknown): [number, Record<string, string>, string] => [
      status,
      { 'content-type': 'application/json' },
      JSON.stringify(value),
    ];
    const xml = (value: string): [number, Record<string, string>, string] => [
      200,
      { 'content-type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?>${value}`,
    ];
    const input = (): Record<string, unknown> => {
      if (body.length === 0) return {};
      const v = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const logged = { ...v };
      if (typeof logged['ZipFile'] === 'string')
        logged['ZipFile'] = `<${logged['ZipFile'].length} base64 chars>`;
      const code = logged['Code'] as Record<string, unknown> | undefined;
      if (code && typeof code['ZipFile'] === 'string')
        logged['Code'] = { ...code, ZipFile: `<${code['ZipFile'].length} base64 chars>` };
      const content = logged['Content'] as Record<string, unknown> | undefined;
      if (content && typeof content['ZipFile'] === 'string')
        logged['Content'] = { ...content, ZipFile: `<${content['ZipFile'].length} base64 chars>` };
      record.json = logged;
      return v;
    };
    const existing = (): FunctionState => {
      const f = fn ? this.functions.get(fn) : undefined;
      if (!f)
        throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${this.arn(fn ?? '?')}`);
      return f;
    };
    const s3key = (): { bucket: string; key: string } => {
      const parts = url.pathname.split('/').slice(1);
      return {
        bucket: decodeURIComponent(parts[0] ?? ''),
        key: parts.slice(1).map(decodeURIComponent).join('/'),
      };
    };

    switch (op) {
      case 'ListLayerVersions':
      case 'GetLayerVersion':
      case 'PublishLayerVersion':
      case 'DeleteLayerVersion':
        return this.layerCall(op, url, input);
      case 'OidcToken': {
        if (req.headers.authorization !== `Bearer ${this.opts.oidcRequestToken}`)
          throw new HttpError(401, 'Unauthorized', 'bad request token');
        if (url.searchParams.get('audience') !== 'sts.amazonaws.com')
          throw new HttpError(
            400,
            'BadAudience',
            `unexpected audience ${url.searchParams.get('audience') ?? ''}`,
          );
        return json(200, { value: this.opts.oidcToken });
      }
      case 'AssumeRoleWithWebIdentity': {
        const form = new URLSearchParams(body.toString('utf8'));
        if (form.get('Action') !== 'AssumeRoleWithWebIdentity')
          throw new HttpError(400, 'InvalidAction', `unsupported action ${form.get('Action') ?? ''}`);
        if (form.get('WebIdentityToken') !== this.opts.oidcToken)
          throw new HttpError(400, 'InvalidIdentityToken', "Couldn't validate the identity token");
        const c: IssuedCredentials = {
          accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secretAccessKey: randomBytes(20).toString('base64'),
          sessionToken: randomBytes(40).toString('base64'),
          roleArn: form.get('RoleArn') ?? '',
          sessionName: form.get('RoleSessionName') ?? '',
        };
        this.issued.push(c);
        const exp = new Date(Date.now() + 3600_000).toISOString();
        return [
          200,
          { 'content-type': 'text/xml' },
          `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
            `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
            `<SessionToken>${c.sessionToken}</SessionToken><Expiration>${exp}</Expiration></Credentials>` +
            `<AssumedRoleUser><Arn>${c.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${c.sessionName}</Arn><AssumedRoleId>AROA:${c.sessionName}</AssumedRoleId></AssumedRoleUser>` +
            `<SubjectFromWebIdentityToken>repo:test</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult>` +
            `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
        ];
      }
      case 'PutObject': {
        const { bucket, key } = s3key();
        this.objects.set(`${bucket}/${key}`, body);
        return [200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }, ''];
      }
      case 'CreateMultipartUpload': {
        const { bucket, key } = s3key();
        const id = randomUUID();
        this.uploads.set(id, { bucket, key, parts: new Map() });
        return xml(
          `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      case 'UploadPart': {
        const u = this.uploads.get(url.searchParams.get('uploadId') ?? '');
        if (!u) throw new HttpError(404, 'NoSuchUpload', 'no such upload');
        u.parts.set(Number(url.searchParams.get('partNumber')), body);
        return [200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }, ''];
      }
      case 'CompleteMultipartUpload': {
        const id = url.searchParams.get('uploadId') ?? '';
        const u = this.uploads.get(id);
        if (!u) throw new HttpError(404, 'NoSuchUpload', 'no such upload');
        const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) =>
          Number(m[1]),
        );
        const parts = numbers.map((n) => {
          const p = u.parts.get(n);
          if (!p) throw new HttpError(400, 'InvalidPart', `part ${n} was not uploaded`);
          return p;
        });
        const whole = Buffer.concat(parts);
        this.objects.set(`${u.bucket}/${u.key}`, whole);
        this.uploads.delete(id);
        return xml(
          `<CompleteMultipartUploadResult><Location>${this.url}/${u.bucket}/${u.key}</Location><Bucket>${u.bucket}</Bucket><Key>${u.key}</Key><ETag>"${createHash('md5').update(whole).digest('hex')}-${parts.length}"</ETag></CompleteMultipartUploadResult>`,
        );
      }
      case 'AbortMultipartUpload': {
        this.uploads.delete(url.searchParams.get('uploadId') ?? '');
        return [204, {}, ''];
      }
      case 'GetFunction': {
        const f = existing();
        this.tick(f);
        return json(200, {
          Configuration: this.config(f),
          Code: { RepositoryType: 'S3', Location: `${this.url}/code/${f.name}` },
        });
      }
      case 'GetFunctionConfiguration': {
        const f = existing();
        this.tick(f);
        return json(200, this.config(f));
      }
      case 'UpdateFunctionCode': {
        const f = existing();
        const i = input();
        const code = this.codeFrom(i);
        this.checkRevision(f, i['RevisionId']);
        this.checkIdle(f);
        const arch = (i['Architectures'] as string[] | undefined) ?? f.architectures;
        if (i['Publish'] === true)
          throw new HttpError(
            400,
            'InvalidParameterValueException',
            'test server: Publish on update is not modelled',
          );
        if (i['DryRun'] === true) return json(200, this.config(f));
        this.beginUpdate(f);
        f.code = code;
        f.codeSha256 = sha256b64(code);
        f.codeSize = code.length;
        f.architectures = [...arch];
        return json(200, this.config(f));
      }
      case 'UpdateFunctionConfiguration': {
        const f = existing();
        const i = input();
        this.checkRevision(f, i['RevisionId']);
        this.checkIdle(f);
        if (Array.isArray(i['Layers'])) this.layers.checkLayers(i['Layers'] as string[]);
        this.beginUpdate(f);
        if (typeof i['MemorySize'] === 'number') f.memorySize = i['MemorySize'];
        if (typeof i['Timeout'] === 'number') f.timeout = i['Timeout'];
        if (typeof i['Description'] === 'string') f.description = i['Description'];
        if (Array.isArray(i['Layers'])) f.layers = i['Layers'] as string[];
        const eph = i['EphemeralStorage'] as { Size?: number } | undefined;
        if (eph?.Size !== undefined) f.ephemeralStorage = eph.Size;
        const env = i['Environment'] as { Variables?: Record<string, string> } | undefined;
        if (env) f.env = { ...(env.Variables ?? {}) };
        return json(200, this.config(f));
      }
      case 'PublishVersion': {
        const f = existing();
        const i = input();
        if (f.lastUpdateStatus === 'InProgress' || f.state !== 'Active')
          throw new HttpError(
            409,
            'ResourceConflictException',
            `The operation cannot be performed at this time. An update is in progress for resource: ${f.arn}`,
          );
        this.checkRevision(f, i['RevisionId']);
        if (typeof i['CodeSha256'] === 'string' && i['CodeSha256'] !== f.codeSha256)
          throw new HttpError(
            400,
            'InvalidParameterValueException',
            `CodeSHA256 (${i['CodeSha256']}) is different from current CodeSHA256 in $LATEST (${f.codeSha256}). Please try again.`,
          );
        const last = f.versions.at(-1);
        const v = last && sameSettings(last, f) ? last : this.publishNow(f.name);
        return json(201, this.versionConfig(f, v));
      }
      case 'ListVersionsByFunction': {
        const f = existing();
        const all = [this.config(f), ...f.versions.map((v) => this.versionConfig(f, v))];
        const start = Number(url.searchParams.get('Marker') ?? '0');
        const size = Number(url.searchParams.get('MaxItems') ?? String(this.pageSize));
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? String(start + size) : undefined;
        return json(200, { Versions: page, ...(next ? { NextMarker: next } : {}) });
      }
      case 'ListAliases': {
        const f = existing();
        const all = [...f.aliases.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
        const start = Number(url.searchParams.get('Marker') ?? '0');
        const size = Number(url.searchParams.get('MaxItems') ?? String(this.pageSize));
        const page = all.slice(start, start + size).map((a) => this.aliasOut(f, a));
        const next = start + size < all.length ? String(start + size) : undefined;
        return json(200, { Aliases: page, ...(next ? { NextMarker: next } : {}) });
      }
      case 'DeleteFunction':
        return this.deleteFunction(existing(), url.searchParams.get('Qualifier'));
      case 'Invoke':
        return this.invoke(existing(), req, url, body, record);
      case 'GetCallerIdentity': {
        const issued = this.issued.find((c) => c.accessKeyId === record.accessKeyId);
        const account = issued ? (/::(\d{12}):/.exec(issued.roleArn)?.[1] ?? ACCOUNT) : this.callerAccount;
        const arn = issued
          ? `${issued.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${issued.sessionName}`
          : `arn:aws:iam::${account}:user/deployer`;
        return [
          200,
          { 'content-type': 'text/xml' },
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
            `<Arn>${arn}</Arn><UserId>AIDA${account}</UserId><Account>${account}</Account></GetCallerIdentityResult>` +
            `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        ];
      }
      case 'GetAlias': {
        const f = existing();
        const name = this.aliasName(url);
        const a = f.aliases.get(name);
        if (!a) throw new HttpError(404, 'ResourceNotFoundException', `Alias not found: ${f.arn}:${name}`);
        return json(200, this.aliasOut(f, a));
      }
      case 'CreateAlias': {
        const f = existing();
        const i = input();
        const name = String(i['Name']);
        if (f.aliases.has(name))
          throw new HttpError(409, 'ResourceConflictException', `Alias already exists: ${f.arn}:${name}`);
        const version = String(i['FunctionVersion']);
        this.checkVersion(f, version);
        const a: AliasState = { name, functionVersion: version, revisionId: randomUUID(), weights: {} };
        f.aliases.set(name, a);
        return json(201, this.aliasOut(f, a));
      }
      case 'UpdateAlias': {
        const f = existing();
        const name = this.aliasName(url);
        const a = f.aliases.get(name);
        if (!a) throw new HttpError(404, 'ResourceNotFoundException', `Alias not found: ${f.arn}:${name}`);
        const i = input();
        if (typeof i['RevisionId'] === 'string' && i['RevisionId'] !== a.revisionId)
          throw new HttpError(
            412,
            'PreconditionFailedException',
            'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
          );
        if (typeof i['FunctionVersion'] === 'string') {
          this.checkVersion(f, i['FunctionVersion']);
          a.functionVersion = i['FunctionVersion'];
        }
        const rc = i['RoutingConfig'] as { AdditionalVersionWeights?: Record<string, number> } | undefined;
        if (rc) a.weights = { ...(rc.AdditionalVersionWeights ?? {}) };
        a.revisionId = randomUUID();
        return json(200, this.aliasOut(f, a));
      }
      case 'CreateFunction': {
        const i = input();
        const raw = typeof i['FunctionName'] === 'string' ? i['FunctionName'] : '';
        const name = /function:([^:]+)/.exec(raw)?.[1] ?? raw;
        record.function = name;
        if (this.functions.has(name))
          throw new HttpError(409, 'ResourceConflictException', `Function already exist: ${name}`);
        if (typeof i['Role'] !== 'string' || !i['Role'])
          throw new HttpError(
            400,
            'InvalidParameterValueException',
            'The role defined for the function cannot be assumed by Lambda.',
          );
        const code = this.codeFrom((i['Code'] ?? {}) as Record<string, unknown>);
        if (Array.isArray(i['Layers'])) this.layers.checkLayers(i['Layers'] as string[]);
        const f = this.addFunction({ name, code });
        f.runtime = typeof i['Runtime'] === 'string' ? i['Runtime'] : '';
        f.role = i['Role'];
        f.handler = typeof i['Handler'] === 'string' ? i['Handler'] : '';
        f.architectures = (i['Architectures'] as string[] | undefined) ?? ['x86_64'];
        if (typeof i['MemorySize'] === 'number') f.memorySize = i['MemorySize'];
        if (typeof i['Timeout'] === 'number') f.timeout = i['Timeout'];
        if (typeof i['Description'] === 'string') f.description = i['Description'];
        if (Array.isArray(i['Layers'])) f.layers = i['Layers'] as string[];
        const eph = i['EphemeralStorage'] as { Size?: number } | undefined;
        if (eph?.Size !== undefined) f.ephemeralStorage = eph.Size;
        const env = i['Environment'] as { Variables?: Record<string, string> } | undefined;
        if (env) f.env = { ...(env.Variables ?? {}) };
        const hold = this.nextCreation ?? { polls: 0, outcome: 'Active' };
        this.nextCreation = undefined;
        f.state = 'Pending';
        f.pendingState = { ...hold };
        let out = this.config(f);
        if (i['Publish'] === true) {
          const v = this.publishNow(name);
          out = { ...out, Version: v.version };
        }
        return json(201, out);
      }
      default:
        throw new HttpError(
          404,
          'UnknownOperationException',
          `test server: no route for ${req.method ?? ''} ${url.pathname}`,
        );
    }
  }

  /** DeleteFunction: with a Qualifier, that version (refused while an alias points at it); without, the function. */
  private deleteFunction(
    f: FunctionState,
    qualifier: string | null,
  ): [number, Record<string, string>, string] {
    if (qualifier === null || qualifier === '') {
      this.functions.delete(f.name);
      return [204, {}, ''];
    }
    if (qualifier === '$LATEST')
      throw new HttpError(
        400,
        'InvalidParameterValueException',
        '$LATEST version cannot be deleted without deleting all versions and aliases.',
      );
    const i = f.versions.findIndex((v) => v.version === qualifier);
    if (i < 0)
      throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${f.arn}:${qualifier}`);
    const referencing = [...f.aliases.values()]
      .filter((a) => a.functionVersion === qualifier || qualifier in a.weights)
      .map((a) => a.name);
    if (referencing.length > 0)
      throw new HttpError(
        409,
        'ResourceConflictException',
        `Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`,
      );
    f.versions.splice(i, 1);
    return [204, {}, ''];
  }

  /** Invoke (RequestResponse): the qualifier resolved to a version, answered as the function's handler says. */
  private invoke(
    f: FunctionState,
    req: http.IncomingMessage,
    url: URL,
    body: Buffer,
    record: RequestRecord,
  ): [number, Record<string, string>, string, number] {
    const qualifier = url.searchParams.get('Qualifier') ?? '';
    const payload = body.toString('utf8');
    const header = (n: string): string => String(req.headers[n] ?? '');
    record.json = {
      Qualifier: qualifier,
      InvocationType: header('x-amz-invocation-type'),
      LogType: header('x-amz-log-type'),
      Payload: payload,
    };
    const version = qualifier === '' ? '$LATEST' : (f.aliases.get(qualifier)?.functionVersion ?? qualifier);
    const v = version === '$LATEST' ? f : f.versions.find((x) => x.version === version);
    if (!v)
      throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${f.arn}:${qualifier}`);
    const answer = (f.invokeHandler ?? echoInvoke)({
      fn: f.name,
      qualifier,
      version,
      codeSha256: v.codeSha256,
      payload,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-executed-version': version,
    };
    if (answer.functionError) headers['x-amz-function-error'] = answer.functionError;
    if (header('x-amz-log-type') === 'Tail') {
      const log = Buffer.from(answer.log ?? '');
      headers['x-amz-log-result'] = log.subarray(Math.max(0, log.length - 4096)).toString('base64');
    }
    return [200, headers, answer.payload ?? '', answer.delayMs ?? 0];
  }

  /** The layers API (lambda-layers.ts); a layer zip comes as a ZipFile or from S3, like a function's. */
  private layerCall(
    op: LayerOp,
    url: URL,
    input: () => Record<string, unknown>,
  ): [number, Record<string, string>, string] {
    const route = routeLayer(op === 'PublishLayerVersion' ? 'POST' : 'GET', url.pathname)!;
    const json = (status: number, value: unknown): [number, Record<string, string>, string] => [
      status,
      { 'content-type': 'application/json' },
      JSON.stringify(value),
    ];
    switch (op) {
      case 'ListLayerVersions':
        return json(200, this.layers.list(route.name, url.searchParams));
      case 'GetLayerVersion':
        return json(200, this.layers.out(this.layers.get(route.name, route.version!), true));
      case 'DeleteLayerVersion':
        this.layers.delete(route.name, route.version!);
        return [204, {}, ''];
      case 'PublishLayerVersion': {
        const i = input();
        const code = this.codeFrom((i['Content'] ?? {}) as Record<string, unknown>);
        return json(201, this.layers.out(this.layers.publish(route.name, i, code), true));
      }
    }
  }

  private aliasName(url: URL): string {
    return decodeURIComponent(url.pathname.split('/').pop() ?? '');
  }

  private codeFrom(i: Record<string, unknown>): Buffer {
    if (typeof i['ZipFile'] === 'string') {
      const code = Buffer.from(i['ZipFile'], 'base64');
      if (code.length > this.opts.maxDirectZip)
        throw new HttpError(
          413,
          'RequestEntityTooLargeException',
          `Request must be smaller than ${this.opts.maxDirectZip} bytes for the UpdateFunctionCode operation`,
        );
      return code;
    }
    if (typeof i['S3Bucket'] === 'string' && typeof i['S3Key'] === 'string') {
      const obj = this.objects.get(`${i['S3Bucket']}/${i['S3Key']}`);
      if (!obj)
        throw new HttpError(
          400,
          'InvalidParameterValueException',
          'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
        );
      return obj;
    }
    throw new HttpError(400, 'InvalidParameterValueException', 'Please provide a source for function code.');
  }

  private checkRevision(f: FunctionState, rev: unknown): void {
    if (typeof rev === 'string' && rev !== f.revisionId)
      throw new HttpError(
        412,
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
  }

  private checkIdle(f: FunctionState): void {
    if (f.lastUpdateStatus === 'InProgress' || f.state === 'Pending')
      throw new HttpError(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${f.arn}`,
      );
  }

  private checkVersion(f: FunctionState, version: string): void {
    if (version !== '$LATEST' && !f.versions.some((v) => v.version === version))
      throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${f.arn}:${version}`);
  }

  private beginUpdate(f: FunctionState): void {
    const hold = f.nextHold ?? { polls: 0, outcome: 'Successful' };
    f.nextHold = undefined;
    f.pendingUpdate = {
      outcome: hold.outcome,
      before: settingsOf(f),
      ...(hold.reason ? { reason: hold.reason } : {}),
      ...(hold.reasonCode ? { reasonCode: hold.reasonCode } : {}),
    };
    f.pendingPolls = hold.polls;
    f.lastUpdateStatus = 'InProgress';
    delete f.lastUpdateStatusReason;
    delete f.lastUpdateStatusReasonCode;
    f.revisionId = randomUUID();
    f.lastModified = now();
  }

  /** One observation of the function by a poll: a pending update or creation moves on. */
  private tick(f: FunctionState): void {
    if (f.state === 'Pending' && f.pendingState) {
      if (f.pendingState.polls > 0) f.pendingState.polls--;
      else {
        f.state = f.pendingState.outcome;
        if (f.pendingState.reason) f.stateReason = f.pendingState.reason;
        if (f.pendingState.reasonCode) f.stateReasonCode = f.pendingState.reasonCode;
        delete f.pendingState;
      }
    }
    if (f.lastUpdateStatus === 'InProgress' && f.pendingUpdate) {
      if (f.pendingPolls > 0) f.pendingPolls--;
      else {
        const p = f.pendingUpdate;
        f.lastUpdateStatus = p.outcome;
        if (p.outcome === 'Failed') {
          Object.assign(f, settingsOf(p.before));
          if (p.reason) f.lastUpdateStatusReason = p.reason;
          if (p.reasonCode) f.lastUpdateStatusReasonCode = p.reasonCode;
        }
        delete f.pendingUpdate;
      }
    }
  }

  private config(f: FunctionState): Record<string, unknown> {
    return {
      FunctionName: f.name,
      FunctionArn: f.arn,
      Runtime: f.packageType === 'Zip' ? f.runtime : undefined,
      Role: f.role,
      Handler: f.packageType === 'Zip' ? f.handler : undefined,
      CodeSize: f.codeSize,
      Description: f.description,
      Timeout: f.timeout,
      MemorySize: f.memorySize,
      LastModified: f.lastModified,
      CodeSha256: f.codeSha256,
      Version: '$LATEST',
      ...(Object.keys(f.env).length > 0 ? { Environment: { Variables: { ...f.env } } } : {}),
      RevisionId: f.revisionId,
      ...(f.layers.length > 0
        ? { Layers: f.layers.map((Arn) => ({ Arn, CodeSize: this.layers.byArn(Arn)?.codeSize ?? 1000 })) }
        : {}),
      State: f.state,
      ...(f.stateReason ? { StateReason: f.stateReason } : {}),
      ...(f.stateReasonCode ? { StateReasonCode: f.stateReasonCode } : {}),
      LastUpdateStatus: f.lastUpdateStatus,
      ...(f.lastUpdateStatusReason ? { LastUpdateStatusReason: f.lastUpdateStatusReason } : {}),
      ...(f.lastUpdateStatusReasonCode ? { LastUpdateStatusReasonCode: f.lastUpdateStatusReasonCode } : {}),
      PackageType: f.packageType,
      Architectures: [...f.architectures],
      EphemeralStorage: { Size: f.ephemeralStorage },
    };
  }

  private versionConfig(f: FunctionState, v: VersionState): Record<string, unknown> {
    return {
      ...this.config({
        ...f,
        ...settingsOf(v),
        revisionId: v.revisionId,
        lastUpdateStatus: 'Successful',
        state: 'Active',
      }),
      FunctionArn: `${f.arn}:${v.version}`,
      Version: v.version,
    };
  }

  private aliasOut(f: FunctionState, a: AliasState): Record<string, unknown> {
    return {
      AliasArn: `${f.arn}:${a.name}`,
      Name: a.name,
      FunctionVersion: a.functionVersion,
      Description: '',
      RevisionId: a.revisionId,
      ...(Object.keys(a.weights).length > 0
        ? { RoutingConfig: { AdditionalVersionWeights: a.weights } }
        : {}),
    };
  }
}

export async function startLambdaServer(opts: ServerOptions = {}): Promise<LambdaServer> {
  return new LambdaServer(opts).start();
}

// ---- fixture of the deploy wire tests ----

/**
 * Shared set-up of the deploy wire tests: a workspace, tiny real zips with an
 * ELF bootstrap of either architecture, a job context built from inputs, a
 * log that records everything, and the SDK pointed at the local server.
 */

export const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
fs.writeFileSync(path.join(WORK, 'flake.nix'), '{ outputs = _: {}; }');

/** Options of the tests: quick polls and OIDC backoff, production retries. */
export const TEST_OPTS: DeployOptions = deployOptions(
  {},
  { pollDelaySeconds: 0.01, pollMaxDelaySeconds: 0.03, oidcBackoffBaseMs: 5, oidcBackoffMaxMs: 20 },
);

const X86_ELF = fs.readFileSync('/bin/true');
function armElf(): Buffer {
  const lib = '/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1';
  if (fs.existsSync(lib)) return fs.readFileSync(lib);
  // No cross libraries: /bin/true with e_machine set to aarch64 (183) is enough for the header check.
  const b = Buffer.from(X86_ELF);
  b.writeUInt16LE(183, 18);
  return b;
}
const ARM_ELF = armElf();

export interface TestZip {
  path: string;
  bytes: Buffer;
  sha: string;
  arch: LambdaArch;
}

let zipCounter = 0;

/** A zip with an ELF bootstrap (mode 0755) and, to tell zips apart, a small version file; `filler` adds stored random bytes. */
export function makeZip(
  arch: LambdaArch = 'x86_64',
  opts: { tag?: string; filler?: number; bootstrap?: Buffer | null } = {},
): TestZip {
  const zip = new AdmZip();
  if (opts.bootstrap !== null) {
    zip.addFile('bootstrap', opts.bootstrap ?? (arch === 'arm64' ? ARM_ELF : X86_ELF));
    const e = zip.getEntry('bootstrap')!;
    e.attr = (0o100755 << 16) >>> 0;
  }
  zip.addFile('VERSION', Buffer.from(`${opts.tag ?? 'v'}-${zipCounter++}\n`));
  if (opts.filler) {
    zip.addFile('data.bin', randomBytes(opts.filler));
    zip.getEntry('data.bin')!.header.method = 0;
  }
  const p = path.join(WORK, `f${zipCounter}-${arch}.zip`);
  zip.writeZip(p);
  const bytes = fs.readFileSync(p);
  return { path: p, bytes, sha: codeSha256(bytes), arch };
}

/** What the package stage would have recorded for the zip. */
export function packageOf(z: TestZip, runtimeEnv: Record<string, string> = {}): PackageResult {
  return {
    zipPath: z.path,
    codeSha256: z.sha,
    zipBytes: z.bytes.length,
    unzippedBytes: z.bytes.length,
    architecture: z.arch,
    bundleDir: WORK,
    files: [],
    references: [],
    libraries: [],
    runtimeEnv,
    verified: 'static',
  };
}

/** Parses inputs as the action does (deploy-only stages: zip-path is the zip) and builds a context. */
export function makeContext(
  values: Record<string, string>,
  opts: { zip?: TestZip; pkg?: PackageResult } = {},
): { ctx: JobContext; log: MemoryLog; inputs: Inputs } {
  const all: Record<string, string> = {
    stages: 'deploy',
    'aws-region': 'us-east-1',
    'zip-path': opts.zip?.path ?? opts.pkg?.zipPath ?? '',
    ...values,
  };
  const ctx = jobContext(all, { workspace: WORK, tempDir: WORK, log: memoryLog() });
  if (opts.pkg) ctx.package = opts.pkg;
  return { ctx, log: ctx.log, inputs: ctx.inputs };
}

const AWS_VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
];

export const TEST_ACCESS_KEY = 'AKIDENVTEST000000000';

/** Starts the server and points the SDK at it with fake static credentials; returns a function that undoes it. */
export async function setUpAws(): Promise<{ server: LambdaServer; restore: () => Promise<void> }> {
  const saved = Object.fromEntries(AWS_VARS.map((k) => [k, process.env[k]]));
  for (const k of AWS_VARS) Reflect.deleteProperty(process.env, k);
  const server = await startLambdaServer();
  process.env['AWS_ENDPOINT_URL'] = server.url;
  process.env['AWS_ACCESS_KEY_ID'] = TEST_ACCESS_KEY;
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test-secret-key';
  process.env['AWS_CONFIG_FILE'] = path.join(WORK, 'no-config');
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(WORK, 'no-credentials');
  return {
    server,
    restore: async () => {
      await server.close();
      for (const k of AWS_VARS) {
        const v = saved[k];
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
    },
  };
}
