// PostgreSQL for the tests that are about it: the server from SAIWU_TEST_POSTGRES_URL (default the
// local one, trust auth), a fresh database per test file, and the rule that a missing server skips the
// test with a note — or fails it when SAIWU_REQUIRE_POSTGRES is set (CI).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.SAIWU_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const required = !['', '0', 'false', 'no'].includes((process.env.SAIWU_REQUIRE_POSTGRES ?? '').trim().toLowerCase());

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL cannot be used (null when it can); throws when SAIWU_REQUIRE_POSTGRES is set. */
export async function postgresProblem(what: string): Promise<string | null> {
  const problem = await withAdmin((c) => c.query('SELECT 1')).then(() => null, (err: Error) => err.message || String(err));
  if (problem && required) throw new Error(`SAIWU_REQUIRE_POSTGRES is set but PostgreSQL at ${ADMIN_URL} is not reachable: ${problem}`);
  if (problem) console.warn(`Skipping ${what}: PostgreSQL at ${ADMIN_URL} is not reachable (${problem}). Set SAIWU_REQUIRE_POSTGRES=1 to make this a failure.`);
  return problem;
}

/** A new, empty database; `drop` removes it (connections closed first). */
export async function tempDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `saiwu_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}
