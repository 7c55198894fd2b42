// Hand-written SQL that runs unchanged on SQLite and PostgreSQL, for the roll-ups over every plan of
// a campaign (standings, roll-call, export), where Prisma's nested selects are several times slower.
import { isPostgresUrl } from '../database-url.js';
import { sql } from '../store/sql.js';

export { SqlText } from '../store/sql.js';

/**
 * The raw-SQL tag of store/sql.ts (lists as IN (…), SqlText as it is), which runs straight on the
 * SQLite connection and through `$queryRaw` on PostgreSQL; the roll-ups read their rows through it.
 */
export const queryWithLists = sql;

/** SQLite returns booleans as 0/1 (and sometimes as bigint), PostgreSQL as booleans. */
export const truthy = (v: unknown) => v === true || v === 1 || v === 1n || v === '1' || v === 't';

/** A timestamp from raw SQL: a Date (PostgreSQL), or milliseconds / text (SQLite); null when none. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const d = typeof v === 'number' || typeof v === 'bigint' ? new Date(Number(v)) : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A count or sum from raw SQL (BigInt or Decimal text on PostgreSQL), as a number; null as 0. */
export const asNumber = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export type SqlDialect = 'sqlite' | 'postgresql';

/** Which SQL a database URL's server speaks (the URL the client was opened with: app.config.databaseUrl). */
export const sqlDialectOf = (databaseUrl: string): SqlDialect => (isPostgresUrl(databaseUrl) ? 'postgresql' : 'sqlite');
