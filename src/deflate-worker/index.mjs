// The deflate worker: compresses whole files with libdeflate (WebAssembly) off the main thread.
// A plain ES module so that it runs as it is from src/ (tests, local-action) and bundled by ncc
// into dist/deflate-worker/index.mjs (the action). See src/deflate.ts.
import { parentPort } from 'node:worker_threads';
import { deflate } from 'libdeflate';

parentPort.on('message', ({ id, data, level }) => {
  try {
    const out = deflate(data, level);
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
