// Opens Prisma on the configured database. Both generated clients share one model and one set of
// types (scripts/share-client-types.mjs), so either database is a Db.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { createRequire } from 'node:module';
import { PrismaClient, type Prisma } from '../generated/sqlite/index.js';
import { isPostgresUrl, sqliteFilePath } from '../database-url.js';

export type Db = PrismaClient;
export type { Prisma } from '../generated/sqlite/index.js';
/** What a transaction callback receives. */
export type Tx = Prisma.TransactionClient;

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction((tx) => fn(tx)) : fn(db);
}

/**
 * A check-then-write that must not interleave with another for the same unit (two people joining an
 * empty unit at once, one plan sent twice with other quotes): a transaction that first takes the unit's
 * row lock with a no-op UPDATE — a row lock on PostgreSQL, the write lock on SQLite — so the second
 * waits and then sees the first one's rows. (Serializable transactions would do it too, but the
 * PostgreSQL adapter does not release a connection whose COMMIT fails with a serialization error.)
 */
export function withUnitLock<T>(db: Db, unitId: number, fn: (tx: Tx) => Promise<T>, opts?: { timeout?: number }): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`UPDATE "Unit" SET "level" = "level" WHERE "id" = ${unitId}`;
    return fn(tx);
  }, opts);
}

const require = createRequire(import.meta.url);

export function openDatabase(url: string): Db {
  if (isPostgresUrl(url)) {
    // Required only for PostgreSQL (both are CommonJS, so this stays synchronous): the embedded
    // default does not load the second client and the driver.
    const { PrismaClient: PgPrismaClient } = require('../generated/pg/index.js') as typeof import('../generated/pg/index.js');
    const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
    return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  }
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A busy timeout lets the web server and the reminder worker write without SQLITE_BUSY errors.
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file, timeout: 5000 }) });
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
