// Applies the committed SQL migrations at start-up. Prisma's own `migrate deploy` works for SQLite
// but fails against PostgreSQL through the JS schema engine (prisma/orm#27403), so one small runner
// serves both: each folder's migration.sql runs once, in name order, inside a transaction.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isPostgresUrl, sqliteFilePath } from '../database-url.js';
import { projectFile } from '../paths.js';

const root = projectFile('prisma');
const LEDGER = '_saiwu_migrations';

function listMigrations(dir: string): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

/** Applies pending migrations; returns the names applied now. */
export async function migrateDatabase(url: string): Promise<string[]> {
  return isPostgresUrl(url) ? migratePostgres(url) : migrateSqlite(sqliteFilePath(url));
}

function migrateSqlite(file: string): string[] {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
    const done = new Set(db.prepare(`SELECT name FROM ${LEDGER}`).all().map((r) => (r as { name: string }).name));
    const applied: string[] = [];
    for (const m of listMigrations(path.join(root, 'migrations'))) {
      if (done.has(m.name)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare(`INSERT INTO ${LEDGER} (name, applied_at) VALUES (?, ?)`).run(m.name, new Date().toISOString());
      })();
      applied.push(m.name);
    }
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  // Loaded only for PostgreSQL: the embedded default never needs the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One migrator at a time even when two instances start together.
    await client.query('SELECT pg_advisory_lock(727210)');
    await client.query(`CREATE TABLE IF NOT EXISTS ${LEDGER} (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query(`SELECT name FROM ${LEDGER}`);
    const done = new Set(rows.map((r: { name: string }) => r.name));
    const applied: string[] = [];
    for (const m of listMigrations(path.join(root, 'pg', 'migrations'))) {
      if (done.has(m.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${LEDGER} (name) VALUES ($1)`, [m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727210)').catch(() => undefined);
    await client.end();
  }
}
