import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BarrierProxy {
  url: string;
  /** Requests seen, by their first line. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the Lambda test server that holds the first `parties` GetFunction
 * requests until all of them arrived: concurrent deploys then read the same RevisionId, which is
 * the race the RevisionId guard must settle.
 */
export async function barrierProxy(target: string, parties: number): Promise<BarrierProxy> {
  const held: (() => void)[] = [];
  let getFunctions = 0;
  const seen: string[] = [];
  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void => {
    const t = new URL(target);
    const out = http.request(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const isGetFunction =
        req.method === 'GET' && /^\/2015-03-31\/functions\/[^/]+$/.test((req.url ?? '').split('?')[0]!);
      if (isGetFunction && getFunctions < parties) {
        getFunctions++;
        held.push(() => {
          forward(req, body, res);
        });
        if (held.length === parties) for (const go of held.splice(0)) go();
        return;
      }
      forward(req, body, res);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
