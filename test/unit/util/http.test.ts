import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchUrl, FetchError } from '../../../src/util/http.js';
import { deadUrl, startServer, type TestServer } from '../../support/http-files.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('fetchUrl', () => {
  it('retries 5xx and returns the body once the server answers', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      res.statusCode = n < 3 ? 503 : 200;
      res.end(n < 3 ? 'busy' : 'payload');
    });
    const retries: string[] = [];
    const r = await fetchUrl(`${server.url}/x`, {
      retryDelayMs: 10,
      onRetry: (_a, reason) => retries.push(reason),
    });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('payload');
    expect(r.attempts).toBe(3);
    expect(retries).toEqual(['HTTP 503', 'HTTP 503']);
  });

  it('returns a 404 at once (no retry)', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const r = await fetchUrl(`${server.url}/missing`, { retryDelayMs: 10 });
    expect(r.status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a server that hangs, after the timeout of each attempt', async () => {
    server = await startServer(() => {
      // never answers
    });
    const t0 = Date.now();
    await expect(
      fetchUrl(`${server.url}/slow`, { attempts: 2, timeoutMs: 200, retryDelayMs: 10 }),
    ).rejects.toThrow(/failed after 2 attempts: .*timed out after 200 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('throws FetchError when nothing listens', async () => {
    const url = await deadUrl();
    await expect(fetchUrl(url, { attempts: 2, retryDelayMs: 10 })).rejects.toBeInstanceOf(FetchError);
  });

  it('reads file:// URLs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-'));
    const f = path.join(dir, 'install');
    fs.writeFileSync(f, 'script');
    const r = await fetchUrl(pathToFileURL(f).href);
    expect(r.body.toString()).toBe('script');
    fs.rmSync(dir, { recursive: true });
  });
});
