// Hand-written SQL that runs unchanged on SQLite and PostgreSQL, for the roll-ups over every plan of
// a campaign (standings, roll-call, export), where Prisma's nested selects are several times slower.

/** A piece of SQL put into a statement as it is: a constant of the caller, never anything typed. */
export class SqlText {
  constructor(readonly text: string) {}
}

/**
 * `$queryRaw` where a value may be a list (written as one placeholder per item, for IN (…); an empty
 * list as NULL) or an SqlText: the tag called by hand with the strings of the statement. Prisma.join
 * would do the lists too, but each generated client (SQLite, PostgreSQL) has its own Sql class and
 * refuses the other's.
 */
export const queryWithLists = (db: { $queryRaw<T>(query: TemplateStringsArray, ...values: unknown[]): Promise<T> }) =>
  <T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const parts = [strings[0]];
    const params: unknown[] = [];
    const append = (text: string) => (parts[parts.length - 1] += text);
    values.forEach((v, i) => {
      if (v instanceof SqlText) append(v.text + strings[i + 1]);
      else if (Array.isArray(v) && !v.length) append(`NULL${strings[i + 1]}`);
      else if (Array.isArray(v)) {
        v.forEach((x, k) => {
          if (k) parts.push(', ');
          params.push(x);
        });
        parts.push(strings[i + 1]);
      } else {
        params.push(v);
        parts.push(strings[i + 1]);
      }
    });
    return db.$queryRaw<T[]>(Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray, ...params);
  };

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
