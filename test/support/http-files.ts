import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * Local HTTP servers on loopback for tests: static folders (a binary cache, an installer),
 * a fake Cachix API, and a URL where nothing listens.
 */

export interface RequestRecord {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  url: string;
  port: number;
  requests: RequestRecord[];
  close(): Promise<void>;
}

export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RequestRecord[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Serves the files of dir (GET and HEAD), 404 for anything else. */
export function serveDir(dir: string): Handler {
  return (req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const file = path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const data = fs.readFileSync(file);
    res.setHeader('content-length', data.length);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : data);
  };
}

export interface FakeCache {
  uri: string;
  publicSigningKeys: string[];
  isPublic: boolean;
  /** A private cache answers only to `Authorization: Bearer <token>`. */
  token?: string;
}

/** The Cachix API's GET /api/v1/cache/NAME for the given caches. Mount it at /api/v1. */
export function cachixApi(caches: Record<string, FakeCache>): Handler {
  return (req, res) => {
    const m = /^\/api\/v1\/cache\/([^/?]+)$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    const c = m ? caches[decodeURIComponent(m[1]!)] : undefined;
    if (!m || !c) {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'Not Found' }));
      return;
    }
    if (!c.isPublic && req.headers.authorization !== `Bearer ${c.token ?? ''}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'Unauthorized' }));
      return;
    }
    res.statusCode = 200;
    res.end(
      JSON.stringify({
        name: m[1],
        uri: c.uri,
        isPublic: c.isPublic,
        publicSigningKeys: c.publicSigningKeys,
        githubUsername: 'example',
      }),
    );
  };
}

/** A URL on loopback where nothing listens (a server that was started and closed). */
export async function deadUrl(): Promise<string> {
  const s = await startServer((_req, res) => {
    res.end();
  });
  await s.close();
  return s.url;
}
