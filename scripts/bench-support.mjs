// What the benchmarks that run the compiled bot as `npm start` does share: the build, the exact
// command line of package.json's start script, and a free port for each run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** package.json's start script, as it reads. */
export const START_SCRIPT = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;

/** Builds dist/ (skipped when `build` is false) and returns the node arguments `npm start` runs. */
export function startArgs({ build = true } = {}) {
  if (build) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  return START_SCRIPT.replace(/^exec node\s+/, '').split(/\s+/).map((a) => (a.endsWith('.js') ? path.join(root, a) : a));
}

export const freePort = () => new Promise((resolve) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
