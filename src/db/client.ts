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

export function openDatabase(url: string): Db {
  if (isPostgresUrl(url)) {
    return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A busy timeout lets the web server and the reminder worker write without SQLITE_BUSY errors.
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file, timeout: 5000 }) });
}
