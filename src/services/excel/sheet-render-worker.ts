// The render worker (sheet-render.ts): renders the rows of the jobs it is given, one job after
// another, and reads pages of plans on database connections of its own.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { renderPlanRows, type RenderProgress, type WorkerFault, type WorkerMessage, type WorkerReply, type WorkerTask } from './sheet-render.js';

const require = createRequire(import.meta.url);

/**
 * A read-only connection to the SQLite file last read (the bot has one database), opened on the
 * first read, and again if a new file has taken the path.
 */
let sqlite: { file: string; inode: number; db: import('better-sqlite3').Database } | undefined;
/**
 * Connections to the PostgreSQL database last read, dropped when they fail: two, so that the server
 * finds the next page while this thread reads the rows of one. They come on top of the bot's own
 * (Prisma's pool): while a worker lives (sheet-render.ts: one at most, closed two minutes after the
 * last large export) the bot holds up to POSTGRES_CONNECTIONS more connections to the server.
 */
const POSTGRES_CONNECTIONS = 2;
let postgres: { url: string; clients: Promise<import('pg').Client>[]; next: number } | undefined;

function readSqlite(file: string, sql: string, params: unknown[]): string | null {
  const inode = fs.statSync(file).ino;
  if (sqlite?.file !== file || sqlite.inode !== inode) {
    sqlite?.db.close();
    sqlite = undefined;
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    sqlite = { file, inode, db: new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 }) };
  }
  const value = sqlite.db.prepare(sql).pluck().get(...params) as Buffer | string | null;
  return Buffer.isBuffer(value) ? value.toString() : value;
}

/** Ends the connections (resolves whether or not they ever connected). */
async function endPostgres(clients: Promise<import('pg').Client>[]): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.then((client) => client.end())));
}

function postgresClient(url: string): Promise<import('pg').Client> {
  if (postgres?.url !== url) {
    if (postgres) void endPostgres(postgres.clients);
    postgres = { url, clients: [], next: 0 };
  }
  const entry = postgres;
  const at = entry.next++ % POSTGRES_CONNECTIONS;
  if (!entry.clients[at]) {
    const pg = require('pg') as typeof import('pg');
    // bigint (money) and numeric (the revision time in milliseconds) as numbers, as in the JSON the other paths read.
    const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format)) };
    // A server that does not answer fails the read (and the page is read through Prisma) rather than hang it.
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 30_000, types: types as unknown as import('pg').CustomTypesConfig });
    const connected = client.connect().then(() => client);
    const forget = () => {
      if (entry.clients[at] === connected) delete entry.clients[at];
    };
    client.on('error', forget);
    connected.catch(forget);
    entry.clients[at] = connected;
  }
  return entry.clients[at];
}

async function readPostgres(url: string, sql: string, params: unknown[]): Promise<string> {
  const client = await postgresClient(url);
  // Unnamed statements: a named one is prepared on a server connection, which a transaction-mode
  // pooler (pgbouncer) hands to other clients between statements. Parsing a page's query each time
  // costs the server a millisecond or so.
  const result = await client.query({ text: sql, values: params, rowMode: 'array' });
  return JSON.stringify(result.rows);
}

/** Renders given and not finished; those told to stop (their export failed). */
const rendering = new Set<number>();
const cancelled = new Set<number>();

async function run(id: number, task: WorkerTask, fault?: WorkerFault): Promise<unknown> {
  // Test-only (sheet-render.ts RENDER_WORKERS.fault): a worker that fails, hangs or breaks off.
  if (fault === 'fail') throw new Error(`test fault: the ${task.kind} task failed`);
  if (fault === 'stall') return new Promise(() => undefined);
  if (task.kind === 'render') {
    const told = (progress: RenderProgress) => {
      parentPort!.postMessage({ id, progress } satisfies WorkerReply);
      if (fault === 'break' && progress.rows >= 2) throw new Error('test fault: the render task broke off');
    };
    return renderPlanRows(task.job, () => cancelled.has(id), told, fault === 'break' ? 1 : undefined);
  }
  const { source, sql, params } = task;
  return source.kind === 'sqlite' ? readSqlite(source.file, sql, params) : readPostgres(source.url, sql, params);
}

/** Ends the database connections, then the thread. */
async function close(): Promise<void> {
  const clients = postgres?.clients ?? [];
  postgres = undefined;
  await endPostgres(clients);
  sqlite?.db.close();
  sqlite = undefined;
  process.exit(0);
}

// Renders one after another; PostgreSQL reads as they come (each on the next connection).
let renders = Promise.resolve();
parentPort!.on('message', (m: WorkerMessage) => {
  if ('close' in m) {
    void close();
    return;
  }
  if ('cancel' in m) {
    if (rendering.has(m.cancel)) cancelled.add(m.cancel);
    return;
  }
  const done = (p: Promise<unknown>) => p.then(
    (result) => parentPort!.postMessage({ id: m.id, result } satisfies WorkerReply),
    // The message only: the main thread logs it.
    (err: Error) => parentPort!.postMessage({ id: m.id, error: err?.message ?? String(err) } satisfies WorkerReply),
  );
  if (m.task.kind === 'render') {
    rendering.add(m.id);
    renders = renders.then(() => done(run(m.id, m.task, m.fault)).finally(() => {
      rendering.delete(m.id);
      cancelled.delete(m.id);
    }));
  } else void done(run(m.id, m.task, m.fault));
});
