// Starts one of this folder's worker threads (read-table-worker, sheet-render-worker) from the
// compiled JavaScript, or from source under tsx (npm run dev, tsx scripts, vitest).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name`: the worker's file name without extension, beside this file. */
export function startWorker(name: string, workerData?: unknown): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(file, { workerData });
  // From source the worker is TypeScript. Node 20 does not apply a loader given with --import to a
  // worker's own file, so the worker registers tsx's first.
  const require = createRequire(import.meta.url);
  const tsx = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), tsx.exports['./esm/api'].import.default)).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, { eval: true, workerData, execArgv: [] });
}
