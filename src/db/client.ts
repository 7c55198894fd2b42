// Opens Prisma on the configured database. Both generated clients share one model, so the rest of
// the code uses the SQLite client's types for either.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/sqlite/index.js';
import { PrismaClient as PgPrismaClient } from '../generated/pg/index.js';
import { isPostgresUrl, sqliteFilePath } from '../database-url.js';

export type Db = PrismaClient;
export type { Prisma } from '../generated/sqlite/index.js';
/** What a transaction callback receives. */
export type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db ? (db as Db).$transaction((t) => fn(t as unknown as Tx)) : fn(db);
}

/**
 * A check-then-write that must not interleave with another (two people joining an empty unit at once):
 * a serializable transaction, run again once when the database reports a conflict (P2034).
 */
export async function serializable<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const run = () => db.$transaction((t) => fn(t as unknown as Tx), { isolationLevel: 'Serializable' });
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2034') throw err;
    return run();
  }
}

export function openDatabase(url: string): Db {
  if (isPostgresUrl(url)) {
    return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A busy timeout lets the web server and the reminder worker write without SQLITE_BUSY errors.
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file, timeout: 5000 }) });
}
