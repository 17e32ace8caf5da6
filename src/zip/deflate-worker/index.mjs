// The deflate worker: compresses whole files with libdeflate (WebAssembly) off the main thread.
// A plain ES module so that it runs as it is from src/ (tests, local-action) and bundled by ncc
// into dist/deflate-worker/index.mjs (the action). See src/deflate.ts.
import { parentPort } from 'node:worker_threads';
import { deflate } from 'libdeflate';

// { data, level, back }: deflate data; when `back` is set, data was transferred here and goes back
// (transferred again) with the result, so the caller's memory is neither copied nor lost.
parentPort.on('message', ({ data, level, back }) => {
  try {
    const out = deflate(data, level);
    if (back) parentPort.postMessage({ out, data }, [out.buffer, data.buffer]);
    else parentPort.postMessage({ out }, [out.buffer]);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (back) parentPort.postMessage({ error, data }, [data.buffer]);
    else parentPort.postMessage({ error });
  }
});
