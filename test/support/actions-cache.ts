import { startServer, type TestServer } from './http-files.js';

/**
 * A fake of the Actions cache service, protocol v1 (what @actions/cache speaks when
 * ACTIONS_CACHE_URL is set and ACTIONS_CACHE_SERVICE_V2 is not): look up by keys (exact, then
 * prefix, per key in order), reserve, upload chunks (PATCH with Content-Range), commit, download.
 */

interface Entry {
  id: number;
  key: string;
  version: string;
  chunks: { start: number; data: Buffer }[];
  size: number;
  committed: boolean;
  created: number;
}

export interface FakeActionsCache extends TestServer {
  /** ACTIONS_CACHE_URL (ends with a slash). */
  cacheUrl: string;
  entries: Entry[];
  archive(id: number): Buffer;
}

export async function startActionsCache(): Promise<FakeActionsCache> {
  const entries: Entry[] = [];
  let nextId = 1;
  const archive = (id: number): Buffer => {
    const e = entries.find((x) => x.id === id)!;
    const out = Buffer.alloc(e.size);
    for (const c of e.chunks) c.data.copy(out, c.start);
    return out;
  };
  const server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, value?: unknown): void => {
      res.statusCode = status;
      if (value === undefined) {
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && url.pathname === '/_apis/artifactcache/cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(/,|%2C/i);
      const version = url.searchParams.get('version') ?? '';
      const usable = entries
        .filter((e) => e.committed && e.version === version)
        .sort((a, b) => b.created - a.created);
      for (const k of keys) {
        const hit = usable.find((e) => e.key === k) ?? usable.find((e) => e.key.startsWith(k));
        if (hit) {
          json(200, {
            cacheKey: hit.key,
            scope: 'refs/heads/main',
            archiveLocation: `${serverUrl}/_archive/${hit.id}`,
          });
          return;
        }
      }
      json(204);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/_apis/artifactcache/caches') {
      const r = JSON.parse(body.toString()) as { key: string; version: string };
      if (entries.some((e) => e.key === r.key && e.version === r.version)) {
        json(409, { message: `Cache already exists: ${r.key}` });
        return;
      }
      const id = nextId++;
      entries.push({
        id,
        key: r.key,
        version: r.version,
        chunks: [],
        size: 0,
        committed: false,
        created: Date.now() + id,
      });
      json(201, { cacheId: id });
      return;
    }
    const m = /^\/_apis\/artifactcache\/caches\/(\d+)$/.exec(url.pathname);
    if (m) {
      const e = entries.find((x) => x.id === Number(m[1]));
      if (!e) {
        json(404, { message: 'no such cache' });
        return;
      }
      if (req.method === 'PATCH') {
        const range = /bytes (\d+)-(\d+)\//.exec(String(req.headers['content-range']));
        e.chunks.push({ start: Number(range?.[1] ?? 0), data: body });
        json(204);
        return;
      }
      if (req.method === 'POST') {
        e.size = (JSON.parse(body.toString()) as { size: number }).size;
        e.committed = true;
        json(204);
        return;
      }
    }
    const a = /^\/_archive\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && a) {
      const data = archive(Number(a[1]));
      res.setHeader('content-length', data.length);
      res.end(data);
      return;
    }
    json(404, { message: `unexpected ${req.method ?? ''} ${url.pathname}` });
  });
  const serverUrl = server.url;
  return { ...server, cacheUrl: `${server.url}/`, entries, archive };
}
