import { describe, expect, it } from 'vitest';
import { pool } from '../../../src/util/pool.js';

describe('pool', () => {
  it('runs at most `limit` items at a time and keeps the results in input order', async () => {
    let running = 0;
    let most = 0;
    const results = await pool([30, 10, 20, 5], 2, async (ms, i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i * 10;
    });
    expect(most).toBe(2);
    expect(results.map((r) => (r?.status === 'fulfilled' ? r.value : r))).toEqual([0, 10, 20, 30]);
  });

  it('starts no new item after a failure, and says which were never started', async () => {
    const started: number[] = [];
    const results = await pool([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      await Promise.resolve();
      if (n === 2) throw new Error('two failed');
      return n;
    });
    expect(started).toEqual([1, 2]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]?.status).toBe('rejected');
    expect(results.slice(2)).toEqual([undefined, undefined]);
  });
});
