// `npm run bench:runtime`: how the bot starts and idles as `npm start` runs it — compiled JavaScript
// under plain node, the embedded defaults (SQLite, the local chat only). Prints, per run, the time from
// launch to a healthy /healthz, the resident memory after idling, and the time a SIGTERM takes to a
// clean exit; then the medians against the goals (cold start < 2 s, idle RSS < 120 MB). Needs Redis
// (REDIS_URL, default 127.0.0.1:6379); each run uses a fresh DATA_DIR and its own key prefix.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { START_SCRIPT, freePort, root, sleep, startArgs } from './bench-support.mjs';

const RUNS = Number(process.env.RUNS) || 5;
const IDLE_MS = Number(process.env.IDLE_MS) || 10_000;
const GOALS = { startMs: 2000, rssMb: 120 };

const args = startArgs();

const rssMb = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (let run = 1; run <= RUNS; run++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-'));
  const port = await freePort();
  const launched = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dataDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), REDIS_PREFIX: `bench-rt-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'warn', ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let healthyMs;
  while (healthyMs === undefined) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode} before serving`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) healthyMs = performance.now() - launched;
    } catch { /* not listening yet */ }
    if (healthyMs === undefined) await sleep(10);
  }
  await sleep(IDLE_MS);
  const rss = rssMb(child.pid);
  const stopAt = performance.now();
  child.kill('SIGTERM');
  const code = await exited;
  const stopMs = performance.now() - stopAt;
  fs.rmSync(dataDir, { recursive: true, force: true });
  results.push({ healthyMs, rss, stopMs, code });
  console.log(`run ${run}: healthy after ${healthyMs.toFixed(0)} ms, idle RSS ${rss.toFixed(1)} MB after ${IDLE_MS / 1000} s, SIGTERM → exit ${code} in ${stopMs.toFixed(0)} ms`);
}

const start50 = median(results.map((r) => r.healthyMs));
const rss50 = median(results.map((r) => r.rss));
console.log(`\n${os.cpus().length} CPUs, node ${process.version}, ${RUNS} runs (start script: ${START_SCRIPT})`);
console.log(`cold start to healthy /healthz: median ${start50.toFixed(0)} ms (goal < ${GOALS.startMs} ms) ${start50 < GOALS.startMs ? 'ok' : 'MISSED'}`);
console.log(`idle RSS, local chat only:      median ${rss50.toFixed(1)} MB (goal < ${GOALS.rssMb} MB) ${rss50 < GOALS.rssMb ? 'ok' : 'MISSED'}`);
console.log(`clean exits on SIGTERM:         ${results.filter((r) => r.code === 0).length}/${RUNS}`);
