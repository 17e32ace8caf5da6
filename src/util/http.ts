import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Small HTTP GET with retries and timeouts, on @actions/http-client (which honours the
 * runner's proxy variables). Retries network errors, timeouts, 429 and 5xx with a doubling
 * delay; any other status is returned as is, for the caller to judge.
 */

export interface FetchOptions {
  headers?: Record<string, string>;
  /** Attempts in all (first try included). */
  attempts?: number;
  /** Delay before the second attempt; doubled after each retry. */
  retryDelayMs?: number;
  /** Time allowed for one attempt (connect, headers and body). */
  timeoutMs?: number;
  /** Called before each retry with the reason. */
  onRetry?: (attempt: number, reason: string) => void;
}

export interface FetchResult {
  status: number;
  body: Buffer;
  /** Attempts made. */
  attempts: number;
}

export class FetchError extends Error {
  readonly attempts: number;
  constructor(message: string, attempts: number) {
    super(message);
    this.name = 'FetchError';
    this.attempts = attempts;
  }
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Whether a status is worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** GET url (http, https, or file:// for a local file). Throws FetchError when every attempt failed to get an answer. */
export async function fetchUrl(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  if (url.startsWith('file://')) {
    try {
      return { status: 200, body: fs.readFileSync(fileURLToPath(url)), attempts: 1 };
    } catch (e) {
      throw new FetchError(`cannot read ${url}: ${(e as Error).message}`, 1);
    }
  }
  // Loaded here, not at start-up: with undici it is most of the action's code, and most runs fetch nothing.
  const { HttpClient } = await import('@actions/http-client');
  const attempts = Math.max(1, opts.attempts ?? 4);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let delay = opts.retryDelayMs ?? 1000;
  let lastReason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const client = new HttpClient('nix-lambda', [], {
      socketTimeout: timeoutMs,
      allowRetries: false,
      keepAlive: false,
      allowRedirects: true,
      maxRedirects: 5,
    });
    try {
      const result = await withTimeout(
        (async () => {
          const res = await client.get(url, opts.headers ?? {});
          const body = res.readBodyBuffer ? await res.readBodyBuffer() : Buffer.from(await res.readBody());
          return { status: res.message.statusCode ?? 0, body };
        })(),
        timeoutMs,
        `GET ${url}`,
      );
      if (!isRetryableStatus(result.status) || attempt === attempts) return { ...result, attempts: attempt };
      lastReason = `HTTP ${result.status}`;
    } catch (e) {
      lastReason = (e as Error).message || String(e);
      if (attempt === attempts) break;
    } finally {
      client.dispose();
    }
    opts.onRetry?.(attempt, lastReason);
    await sleep(delay);
    delay *= 2;
  }
  throw new FetchError(`GET ${url} failed after ${attempts} attempts: ${lastReason}`, attempts);
}
