// SQLite serves one process. Two processes on one database file (two bots, or a bot and `npm run
// worker`) make filings fail with "database is locked" under load, so the second refuses to start and
// says to use PostgreSQL. A lock file beside the database names the process holding it, and the
// holder touches it every 30 s; a lock left by a process that is gone (a crash, a power cut, a
// container recreated under another hostname) is taken over — its process is not running, or the
// file has not been touched for 90 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPostgresUrl, sqliteFilePath } from '../database-url.js';

export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

const HEARTBEAT_MS = 30_000;
const STALE_MS = 3 * HEARTBEAT_MS;

// Several bots in one process (the tests) share the claim.
const held = new Map<string, { count: number; heartbeat: NodeJS.Timeout }>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fresh(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < STALE_MS;
  } catch {
    return false;
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

/**
 * Claims the SQLite database of `url` for this process; returns the release. PostgreSQL needs no
 * claim (any number of processes may share it). Throws DatabaseInUseError while another live process
 * on this machine holds it.
 */
export function claimDatabase(url: string, role: string): () => void {
  if (isPostgresUrl(url)) return () => undefined;
  const db = path.resolve(sqliteFilePath(url));
  const lock = `${db}.lock`;
  const mine = held.get(lock);
  if (mine) mine.count++;
  else {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), role }), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
        const holder = readHolder(lock);
        const running = holder !== null && holder.pid !== process.pid && fresh(lock) && (holder.host !== os.hostname() || alive(holder.pid));
        if (running) {
          const where = holder.host === os.hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
          throw new DatabaseInUseError(
            `The SQLite database ${db} is in use by another Saiwu ${where} (since ${holder.since}). SQLite serves one process: ` +
            'stop the other one, or run several processes (bots, npm run worker) on PostgreSQL — set DATABASE_URL=postgresql://… (README "Database").',
          );
        }
        // Left behind by a process that is gone: take it over.
        fs.rmSync(lock, { force: true });
      }
    }
    const heartbeat = setInterval(() => {
      const now = new Date();
      try {
        fs.utimesSync(lock, now, now);
      } catch {
        // Removed by hand: the next claim by another process will simply succeed.
      }
    }, HEARTBEAT_MS);
    heartbeat.unref();
    held.set(lock, { count: 1, heartbeat });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const entry = held.get(lock);
    if (!entry) return;
    if (--entry.count > 0) return;
    clearInterval(entry.heartbeat);
    held.delete(lock);
    if (readHolder(lock)?.pid === process.pid) fs.rmSync(lock, { force: true });
  };
}
