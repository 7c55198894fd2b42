// Opens Prisma on the configured database. Both generated clients share one model and one set of
// types (scripts/share-client-types.mjs), so either database is a Db; both are read through the same
// extension (moneyAsNumbers).
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { createRequire } from 'node:module';
import { PrismaClient } from '../generated/sqlite/index.js';
import type { ITXClientDenyList } from '../generated/sqlite/runtime/client.js';
import { isPostgresUrl, sqliteFilePath } from '../database-url.js';
import { attachDirect, ConnectionTurns, enterTransaction, sql, sqliteDirect, transactionsExclusive, type SqliteDirect } from './sql.js';
import { watchWal } from './wal-checkpointer.js';

/**
 * Money (Plan.budgetFen, Summary.expenditureFen) is a 64-bit integer of fen in the database — a 32-bit
 * one ends at 21,474,836.47 元 — and Prisma reads a BigInt column as a bigint. The rest of the code
 * keeps money as a plain number of fen (exact up to 2^53 fen, about 90 trillion 元; the forms accept at
 * most 1 billion 元 a value), so every client is opened through this extension, which returns the two
 * fields as numbers wherever a model query returns them (found, created, updated, or included under
 * another row). Writes take numbers as they are. Aggregates (_sum) and raw queries are not covered:
 * they return bigints, so read them with Number().
 */
function moneyAsNumbers(client: PrismaClient) {
  return client.$extends({
    name: 'money-as-numbers',
    result: {
      plan: { budgetFen: { needs: { budgetFen: true }, compute: (p) => (p.budgetFen === null ? null : Number(p.budgetFen)) } },
      summary: { expenditureFen: { needs: { expenditureFen: true }, compute: (s) => Number(s.expenditureFen) } },
    },
  });
}

export type Db = ReturnType<typeof moneyAsNumbers>;
export type { Prisma } from '../generated/sqlite/index.js';
/** What a transaction callback receives. */
export type Tx = Omit<Db, ITXClientDenyList>;

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction((tx) => fn(tx)) : fn(db);
}

/**
 * A check-then-write that must not interleave with another for the same unit (two people joining an
 * empty unit at once, one plan sent twice with other quotes): a transaction that, on PostgreSQL, first
 * takes the unit's row lock with a no-op UPDATE, so the second waits and then sees the first one's
 * rows. (Serializable transactions would do it too, but the PostgreSQL adapter does not release a
 * connection whose COMMIT fails with a serialization error.) On SQLite a transaction already holds the
 * one connection from BEGIN to COMMIT, every other request waiting its turn (ConnectionTurns), and a
 * second process is refused at start: the UPDATE would only write the unit's page again at COMMIT.
 */
export function withUnitLock<T>(db: Db, unitId: number, fn: (tx: Tx) => Promise<T>, opts?: { timeout?: number }): Promise<T> {
  const exclusive = transactionsExclusive(db);
  return db.$transaction(async (tx) => {
    if (!exclusive) await sql(tx)`UPDATE "Unit" SET "level" = "level" WHERE "id" = ${unitId}`;
    return fn(tx);
  }, opts);
}

const require = createRequire(import.meta.url);

type SqliteConnection = import('better-sqlite3').Database;
type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;
type Transaction = Awaited<ReturnType<SqlDriverAdapter['startTransaction']>>;
type SqliteStatement = import('better-sqlite3').Statement<unknown[]>;

/** Statements kept prepared per connection; the least recently used beyond this are finalized by GC. */
const KEPT_STATEMENTS = 300;

/**
 * Keeps the SQLite connection's statements prepared between queries. The adapter prepares every
 * statement anew — compiling SQL each time was a sixth of a filing's CPU time — and binds the
 * values with bind(), which better-sqlite3 allows once per statement. So prepare() here hands out
 * a light stand-in bound to the values of one call, over a statement reused from a cache. It
 * offers exactly what the adapter (6.19, pinned by ~6.19.3) uses: bind(values) then run(),
 * reader, columns() and raw().all(); and run() unbound (its BEGIN). Anything else is refused
 * loudly, so an adapter upgrade that needs more fails its first test rather than misbehaving.
 */
function reuseStatements(connection: SqliteConnection): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, SqliteStatement>();
  const statement = (sql: string): SqliteStatement => {
    let stmt = cache.get(sql);
    if (stmt) cache.delete(sql);
    else stmt = prepare(sql) as SqliteStatement;
    // Re-inserted last: the Map's order is the use order, so the first key is the least recent.
    cache.set(sql, stmt);
    if (cache.size > KEPT_STATEMENTS) cache.delete(cache.keys().next().value!);
    return stmt;
  };
  // A statement's columns never change; asking costs an object per column, so it is asked once.
  const columnsOf = new WeakMap<SqliteStatement, ReturnType<SqliteStatement['columns']>>();
  const bound = (stmt: SqliteStatement, values: unknown[]) => ({
    reader: stmt.reader,
    run: () => stmt.run(...values),
    columns: () => {
      let columns = columnsOf.get(stmt);
      if (!columns) columnsOf.set(stmt, (columns = stmt.columns()));
      return columns;
    },
    raw: () => ({ all: () => stmt.raw(true).all(...values) }),
  });
  const standIn = (sql: string) => {
    const stmt = statement(sql);
    return new Proxy(
      { ...bound(stmt, []), bind: (values: unknown[]) => bound(stmt, values) },
      { get: (target, key) => (key in target ? target[key as keyof typeof target] : unsupported(String(key))) },
    );
  };
  // Replaced on this one connection object only (its own property over the class's method).
  Object.defineProperty(connection, 'prepare', { value: standIn, configurable: true, writable: true });
}

/**
 * Gives the adapter's transactions and its statements outside them turns on the connection
 * (ConnectionTurns in sql.ts says why): a transaction holds it from BEGIN to COMMIT or ROLLBACK, and a
 * statement outside waits for it to end.
 *
 * Transactions are begun here rather than by the adapter: its own lock (a mutex it keeps private)
 * is never released when its BEGIN throws, and every later transaction would then wait for ever,
 * holding the turn and so the whole bot. The turns already keep transactions apart, so the lock is
 * not needed; the transaction object is the adapter's own kind (its query methods on the connection).
 */
function takeTurns(adapter: SqlDriverAdapter, connection: SqliteConnection, turns: ConnectionTurns, onProblem: (message: string) => void): void {
  const startTransaction = adapter.startTransaction.bind(adapter);
  // The adapter's class extends its "queryable" (queryRaw, executeRaw, performIO, onError over
  // this.client): a transaction is one of those, with commit and rollback.
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as Record<string, unknown>;
  for (const method of ['queryRaw', 'executeRaw', 'performIO', 'executeIO', 'onError']) if (typeof queryable[method] !== 'function') unsupported(`queryable.${method}`);
  const fail = (err: unknown): never => {
    (queryable.onError as (this: unknown, e: unknown) => never).call(adapter, err);
    throw err;
  };
  adapter.startTransaction = async (isolationLevel) => {
    // The adapter refuses any level but SERIALIZABLE (what SQLite has) with its own error.
    if (isolationLevel && isolationLevel !== 'SERIALIZABLE') return startTransaction(isolationLevel);
    await turns.take();
    try {
      if (connection.inTransaction) {
        // Nobody's: the turn is ours, and every transaction ends its own. Statements outside a
        // transaction were meant to be committed as they ran, so what a stray BEGIN held back is
        // committed (not lost) before this transaction begins on its own.
        onProblem('a transaction was left open on the SQLite connection; it was committed before the next one began');
        try {
          connection.exec('COMMIT');
        } catch {
          connection.exec('ROLLBACK');
        }
      }
      connection.prepare('BEGIN').run();
    } catch (err) {
      turns.give();
      fail(err);
    }
    turns.begin();
    let ended = false;
    const end = async () => {
      if (!ended) {
        turns.end();
        turns.give();
      }
      ended = true;
    };
    const tx = Object.assign(Object.create(queryable) as Transaction, {
      client: connection, adapterOptions: Reflect.get(adapter, 'adapterOptions'), provider: adapter.provider, adapterName: adapter.adapterName,
      options: { usePhantomQuery: false }, commit: end, rollback: end,
    });
    // Prisma ends a transaction by running COMMIT (or ROLLBACK) and then calling commit() (or
    // rollback()); when the statement fails — a deferred constraint, a disk full, SQLite having
    // rolled back by itself — it calls neither, and the connection would stay taken for ever, every
    // request behind it. So a failed COMMIT or ROLLBACK rolls back what is left and ends the turn.
    const executeRaw = tx.executeRaw.bind(tx);
    tx.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (err) {
        if (/^\s*(COMMIT|ROLLBACK)\s*$/i.test(query.sql)) {
          if (connection.inTransaction) {
            try {
              connection.exec('ROLLBACK');
            } catch {
              // Nothing more can be done: the connection reports no transaction or a broken one.
            }
          }
          await tx.rollback();
        }
        throw err;
      }
    };
    return tx;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const executeScript = adapter.executeScript.bind(adapter);
  adapter.queryRaw = (query) => turns.outside(() => queryRaw(query));
  adapter.executeRaw = (query) => turns.outside(() => executeRaw(query));
  adapter.executeScript = (script) => turns.outside(() => executeScript(script));
}

function unsupported(member: string): never {
  throw new Error(`the SQLite statement cache (store/client.ts) does not offer "${member}"; the Prisma adapter has changed`);
}

export interface OpenOptions {
  /** Told when something the database runs in the background fails (the SQLite checkpoint thread). */
  onProblem?(message: string): void;
}

/** The most the SQLite log keeps on disk once checkpointed (its busy size is about 4 MB). */
export const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

export function openDatabase(url: string, opts: OpenOptions = {}): Db {
  if (isPostgresUrl(url)) {
    // Required only for PostgreSQL (both are CommonJS, so this stays synchronous): the embedded
    // default does not load the second client and the driver.
    const { PrismaClient: PgPrismaClient } = require('../generated/pg/index.js') as typeof import('../generated/pg/index.js');
    const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
    return moneyAsNumbers(new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }));
  }
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A busy timeout lets the web server and the reminder worker write without SQLITE_BUSY errors.
  const factory = new PrismaBetterSQLite3({ url: file, timeout: 5000 });
  // The database is in WAL mode (migrate.ts). synchronous=NORMAL is said here rather than left to the
  // driver's build (its WAL default is NORMAL, SQLite's own is FULL): a commit then survives a crash of
  // the bot, and only an OS crash or power cut may lose the last moments' commits (never corrupting the
  // file), while FULL would stop the whole bot for an fsync at every commit (~0.7 ms on a cloud disk,
  // several per filing).
  // journal_size_limit: the log is reused from its start after a checkpoint, but kept at the largest
  // size it ever reached — a 100,000-row import would leave hundreds of megabytes beside saiwu.db for
  // good. With a limit, the bot's next commit after a full checkpoint cuts it back to that size.
  const holder: { direct?: SqliteDirect } = {};
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript(`PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT};`);
    const connection = Reflect.get(adapter, 'client') as SqliteConnection;
    const turns = new ConnectionTurns();
    takeTurns(adapter, connection, turns, opts.onProblem ?? (() => undefined));
    // store/sql.ts runs its statements on this same connection, in a transaction's turn or its own.
    holder.direct = sqliteDirect(connection, turns);
    reuseStatements(connection);
    const wal = watchWal(connection, path.resolve(file), opts.onProblem);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await wal.stop();
      return dispose();
    };
    return adapter;
  };
  const client = new PrismaClient({ adapter: factory });
  attachDirect(client, holder);
  // A transaction callback's client is told which transaction it belongs to as the callback starts,
  // so that a statement it runs after the transaction timed out is refused (sql.ts), not run outside
  // any transaction or inside the next one. Defined on this client object, the extended client's
  // $transaction (moneyAsNumbers) comes here too.
  const transaction = Reflect.get(client, '$transaction') as (this: unknown, arg: unknown, options?: unknown) => Promise<unknown>;
  Reflect.defineProperty(client, '$transaction', {
    configurable: true,
    writable: true,
    value(this: unknown, arg: unknown, options?: unknown) {
      if (typeof arg !== 'function') return transaction.call(this, arg, options);
      return transaction.call(this, (tx: object) => {
        enterTransaction(tx, holder);
        return (arg as (tx: object) => unknown)(tx);
      }, options);
    },
  });
  return moneyAsNumbers(client);
}

/**
 * Runs a query per slice of a long id list: a federation has thousands of units, and SQLite refuses
 * a statement with more bound parameters than its limit (999 in older builds).
 */
export async function inChunks<T, R>(ids: readonly T[], run: (slice: T[]) => Promise<R[]>, size = 500): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(...(await run(ids.slice(i, i + size))));
  return out;
}
