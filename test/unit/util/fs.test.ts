import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import {
  copyShared,
  errnoCode,
  findOnPath,
  folderBytes,
  isExecutable,
  readFileShared,
} from '../../../src/util/fs.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'util-fs-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('findOnPath', () => {
  it('takes the first folder holding an executable of one of the names', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'tool'), 'not executable', { mode: 0o644 });
    fs.writeFileSync(path.join(b, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.mkdirSync(path.join(a, 'other'));
    expect(isExecutable(path.join(a, 'tool'))).toBe(false);
    expect(isExecutable(path.join(b, 'tool'))).toBe(true);
    expect(isExecutable(path.join(a, 'other'))).toBe(false);
    expect(findOnPath(['tool'], `${a}:${b}`)).toBe(path.join(b, 'tool'));
    expect(findOnPath(['other', 'tool'], `${a}:${b}`)).toBe(path.join(b, 'tool'));
    expect(findOnPath(['missing'], `${a}:${b}`)).toBeUndefined();
  });
});

describe('errnoCode', () => {
  it('finds the code on the error or on its cause', () => {
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(errnoCode(enospc)).toBe('ENOSPC');
    expect(errnoCode(new Error('wrapped', { cause: enospc }))).toBe('ENOSPC');
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }))).toBeUndefined();
    expect(errnoCode('not an error')).toBeUndefined();
  });
});

describe('folderBytes', () => {
  it('adds up the regular files below a folder', () => {
    const f = path.join(dir, 'sizes');
    fs.mkdirSync(path.join(f, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(f, 'one'), Buffer.alloc(10));
    fs.writeFileSync(path.join(f, 'sub', 'two'), Buffer.alloc(32));
    expect(folderBytes(f)).toBe(42);
  });
});

describe('readFileShared and copyShared', () => {
  it('give the bytes in memory a worker shares instead of copying', async () => {
    const f = path.join(dir, 'shared.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    fs.writeFileSync(f, bytes);
    const read = await readFileShared(f);
    expect(read.equals(bytes)).toBe(true);
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copy = copyShared(read);
    expect(copy.equals(bytes)).toBe(true);
    expect(copy.buffer).not.toBe(read.buffer);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    fs.writeFileSync(path.join(dir, 'empty-file'), '');
    expect((await readFileShared(path.join(dir, 'empty-file'))).length).toBe(0);
    // A worker that writes into what it was sent changes the sender's bytes: nothing was copied.
    const w = new Worker(
      "require('node:worker_threads').parentPort.on('message', (b) => { b[0] = 7; require('node:worker_threads').parentPort.postMessage('done'); });",
      { eval: true },
    );
    await new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage(copy);
    });
    await w.terminate();
    expect(copy[0]).toBe(7);
    expect(read[0]).toBe(0);
  });
});
