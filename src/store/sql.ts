// Hand-written SQL for the statements every message runs (who is writing, which group, has this
// event been handled, the transcript) and the filing itself, on either database.
//
// Why not Prisma's model queries there: Prisma 6.19 builds each query's plan anew, about 0.5 ms of
// CPU a query — most of a filing's cost under a deadline rush. Its `$queryRaw` skips the plan but
// still costs about 0.15 ms. On SQLite, the embedded default, `sql` goes one step further and runs
// the statement straight on the connection Prisma's adapter holds, prepared once and kept: a few
// microseconds. It is the same connection, so a statement inside a Prisma transaction is part of
// that transaction, exactly as Prisma's own statements are. On PostgreSQL (a pool, where a
// transaction owns one of its connections) it goes through `$queryRaw`.
//
// Rows come back typed as `$queryRaw` types them: dates as Date, booleans as booleans, integers as
// numbers (BIGINT columns as bigint), by the columns' declared types.
import type { Database, Statement } from 'better-sqlite3';

/** A piece of SQL put into a statement as it is: a constant of the caller, never anything typed. */
export class SqlText {
  constructor(readonly text: string) {}
}

/** Rows for a multi-row insert: `VALUES ${new SqlRows(rows)}` writes (?, ?, …), (?, ?, …). */
export class SqlRows {
  constructor(readonly rows: readonly (readonly unknown[])[]) {
    if (!rows.length || rows.some((r) => !r.length)) throw new Error('SqlRows needs at least one row, and a value in each');
  }
}

type RawClient = { $queryRaw<T>(query: TemplateStringsArray, ...values: unknown[]): Promise<T> };

/**
 * Turns on the one SQLite connection, first come first served: an open transaction, or a statement
 * outside any. The connection is shared by every request, and SQLite's transaction is the
 * connection's: a statement run while another request's transaction is open becomes part of it — it
 * sees that request's uncommitted rows, and if that request rolls back (a filing refused half way),
 * its own write is undone with it, silently. Prisma's adapter keeps its transactions apart from each
 * other, not from the statements outside them; these turns do (client.ts wraps the adapter).
 */
export class ConnectionTurns {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private opened = 0;
  /** The open transaction's number (each gets the next), or 0 while none is open. */
  current = 0;

  /** A transaction has begun (the caller holds the connection): it gets the next number. */
  begin(): void {
    this.current = ++this.opened;
  }

  /** The open transaction has ended. */
  end(): void {
    this.current = 0;
  }

  /** Nobody holds the connection or waits for it: a statement may run at once. */
  get free(): boolean {
    return !this.busy && !this.waiting.length;
  }

  /** Resolves when the caller holds the connection; it must `give()` it back. */
  take(): Promise<void> {
    if (this.free) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the connection to the next in line (it stays taken), or frees it. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /** Runs one statement outside any transaction: at once when free, else in its turn. */
  outside<T>(run: () => T | Promise<T>): Promise<T> {
    if (this.free) return promised(run);
    return this.take().then(run).finally(() => this.give());
  }
}

/** `run`'s result, or what it threw, as a promise (a statement on the connection runs synchronously). */
function promised<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** What `openDatabase` leaves on a SQLite client once its connection is open. */
export interface SqliteDirect {
  /** False once Prisma has closed the connection (it opens a new one on its next query). */
  readonly open: boolean;
  /** Who may use the connection now (shared with the adapter's own statements and transactions). */
  readonly turns: ConnectionTurns;
  run(sql: string, params: unknown[]): unknown[];
}

const DIRECT = '_saiwuSqliteDirect';

/** Marks `client` (and every transaction client made from it) as served by `holder`'s connection. */
export function attachDirect(client: object, holder: { direct?: SqliteDirect }): void {
  Object.defineProperty(client, DIRECT, { get: () => holder.direct, enumerable: false });
}

/**
 * Whether a transaction on `db` has the database to itself from BEGIN to COMMIT: the SQLite client,
 * whose one connection every request takes turns on. (Before its first query has opened the
 * connection this says false, and a caller takes the locks it would take on PostgreSQL.)
 */
export function transactionsExclusive(db: object): boolean {
  return Boolean((Reflect.get(db, DIRECT) as SqliteDirect | undefined)?.open);
}

/** Statements kept prepared per connection (the least recently used beyond this are dropped). */
const KEPT_STATEMENTS = 300;

type Convert = (v: unknown) => unknown;

/** A Date from SQLite's text (Prisma writes ISO 8601 with +00:00; SQL defaults write "YYYY-MM-DD HH:MM:SS", UTC) or milliseconds. */
function sqliteDate(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v));
  const text = String(v);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}

const CONVERT: Record<string, Convert> = {
  DATETIME: sqliteDate,
  TIMESTAMP: sqliteDate,
  BOOLEAN: (v) => (v === null ? null : v === 1 || v === 1n || v === true),
  BIGINT: (v) => (v === null ? null : BigInt(v as number)),
};

/** A value as the Prisma adapter binds it (its default iso8601 timestamps), so both write alike. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** Runs statements on one SQLite connection, each prepared once (with its row converters). */
export function sqliteDirect(connection: Database, turns: ConnectionTurns): SqliteDirect {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, { stmt: Statement<unknown[]>; convert: [string, Convert][] | null }>();
  const entry = (sql: string) => {
    let e = cache.get(sql);
    if (e) cache.delete(sql);
    else {
      const stmt = prepare(sql) as Statement<unknown[]>;
      // Integers as numbers (the adapter's connection reads them as bigints by default).
      stmt.safeIntegers(false);
      const convert = stmt.reader
        ? stmt.columns().flatMap((c): [string, Convert][] => (c.type && CONVERT[c.type.toUpperCase()] ? [[c.name, CONVERT[c.type.toUpperCase()]]] : []))
        : null;
      e = { stmt, convert };
    }
    // Re-inserted last: the Map's order is the use order, so its first key is the least recent.
    cache.set(sql, e);
    if (cache.size > KEPT_STATEMENTS) cache.delete(cache.keys().next().value!);
    return e;
  };
  return {
    get open() {
      return connection.open;
    },
    turns,
    run(sql, params) {
      const { stmt, convert } = entry(sql);
      const values = params.map(bindable);
      if (!convert) {
        stmt.run(...values);
        return [];
      }
      const rows = stmt.all(...values) as Record<string, unknown>[];
      if (convert.length) for (const row of rows) for (const [name, fn] of convert) row[name] = fn(row[name]);
      return rows;
    },
  };
}

/** A transaction client's transaction (ConnectionTurns numbers them). */
const transactionOf = new WeakMap<object, number>();

/**
 * Notes that `tx` is the client of the transaction open now (its callback is starting: the turn is
 * its own), so that its statements are refused once that transaction has ended (client.ts).
 */
export function enterTransaction(tx: object, holder: { direct?: SqliteDirect }): void {
  if (holder.direct?.open) transactionOf.set(tx, holder.direct.turns.current);
}

/**
 * The raw-SQL tag: `await sql(db)<Row>\`SELECT … WHERE "id" = ${id}\``. A value may be a list
 * (one placeholder per item, for IN (…); an empty list as NULL), an SqlRows (the rows of a multi-row
 * VALUES) or an SqlText (written as it is: a constant of the caller, never anything typed).
 * Statements that return no rows give [].
 */
export const sql = (db: RawClient) =>
  <T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const parts = [strings[0]];
    const params: unknown[] = [];
    const append = (text: string) => (parts[parts.length - 1] += text);
    // Each part is followed by a placeholder: a list's values, ", " between two, then `after`.
    const list = (xs: readonly unknown[], after: string) => {
      xs.forEach((x, k) => {
        if (k) parts.push(', ');
        params.push(x);
      });
      parts.push(after);
    };
    values.forEach((v, i) => {
      if (v instanceof SqlText) append(v.text + strings[i + 1]);
      else if (v instanceof SqlRows) {
        // "(" ends the text before the first row; "), (" between two rows, ")…" after the last.
        append('(');
        v.rows.forEach((row, r) => list(row, r < v.rows.length - 1 ? '), (' : `)${strings[i + 1]}`));
      } else if (Array.isArray(v) && !v.length) append(`NULL${strings[i + 1]}`);
      else if (Array.isArray(v)) list(v, strings[i + 1]);
      else {
        params.push(v);
        parts.push(strings[i + 1]);
      }
    });
    const direct = Reflect.get(db, DIRECT) as SqliteDirect | undefined;
    if (direct?.open) {
      const run = () => direct.run(parts.join('?'), params) as T[];
      // A transaction's client (it has no $transaction of its own) holds the connection already —
      // while its transaction is the open one. One that timed out (Prisma rolled it back) while its
      // callback went on must not write outside any transaction, or inside the next request's.
      if (!('$transaction' in db)) {
        if (!transactionOf.has(db)) transactionOf.set(db, direct.turns.current);
        const mine = transactionOf.get(db)!;
        if (!mine || mine !== direct.turns.current) return Promise.reject(new Error('the transaction has ended (it timed out or was rolled back): its statement was not run'));
        return promised(run);
      }
      return direct.turns.outside(run);
    }
    const template: TemplateStringsArray = Object.assign([...parts], { raw: [...parts] });
    return db.$queryRaw<T[]>(template, ...params);
  };
