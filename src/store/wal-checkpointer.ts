// SQLite in WAL mode appends every commit to a log beside the database and copies the log back into
// the database file (a checkpoint) from inside whichever commit takes the log past 1,000 pages. That
// commit waits for the copy and an fsync — 5–20 ms on a cloud disk — and so does every chat behind
// it during a burst of filings before a deadline. So once a database is busy (its log has passed
// 2 MB) a worker thread with a connection of its own checkpoints a few times a second instead
// (PASSIVE: it never blocks a writer or a reader), and the bot's connection stops checkpointing in
// its commits. An idle bot starts no thread. Should the thread die, the bot's connection goes back
// to checkpointing itself.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** The log size at which the thread starts. */
// Below SQLite's own checkpoint at 1,000 pages (about 4 MB), which resets the log.
const BUSY_BYTES = 2 * 1024 * 1024;
const WATCH_MS = 2_000;
const CHECKPOINT_MS = 250;
/** SQLite's own default, restored if the thread dies. */
const AUTOCHECKPOINT_PAGES = 1000;

// The thread's whole program: plain JavaScript, so it runs the same from dist/ and from source.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

const require = createRequire(import.meta.url);

export interface WalCheckpointer {
  /** Whether the thread is checkpointing (for tests and the log). */
  readonly threaded: boolean;
  stop(): Promise<void>;
}

/** Watches `file`'s log and moves its checkpoints to a thread once it is busy (see above). */
export function watchWal(connection: Database, file: string, onProblem: (message: string) => void = () => undefined): WalCheckpointer {
  let worker: Worker | null = null;
  let stopping = false;
  const selfCheckpoint = () => {
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  const start = () => {
    worker = new Worker(THREAD, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file, everyMs: CHECKPOINT_MS } });
    // The thread never keeps the process alive: a bot that exits without closing loses nothing, as
    // SQLite replays the log when the database is next opened.
    worker.unref();
    worker.once('online', () => connection.open && connection.pragma('wal_autocheckpoint = 0'));
    worker.on('message', (message: string) => onProblem(`checkpoint failed: ${message}`));
    worker.once('error', (err) => onProblem(`checkpoint thread failed: ${err.message}`));
    worker.once('exit', () => {
      worker = null;
      if (!stopping) selfCheckpoint();
    });
  };
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = fs.statSync(`${file}-wal`).size;
    } catch {
      return; // no log yet
    }
    if (size < BUSY_BYTES) return;
    clearInterval(watch);
    start();
  }, WATCH_MS);
  watch.unref();
  return {
    get threaded() {
      return worker !== null;
    },
    async stop() {
      stopping = true;
      clearInterval(watch);
      const running = worker;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage('stop');
      const timer = setTimeout(() => void running.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
      selfCheckpoint();
    },
  };
}
