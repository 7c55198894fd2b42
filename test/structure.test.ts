// Boundaries a reader relies on, checked on the code itself: only the store reaches Prisma's generated
// clients, and nothing outside src/platforms/ decides by a platform's name.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgSchemaFrom } from '../scripts/sync-pg-schema.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const code = ['src', 'handlers', 'jobs', 'scripts'].flatMap(sources);
// Comments may name platforms; code may not.
const withoutComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('structure', () => {
  // SQLite's locks between connections are POSIX file locks, which a process never conflicts with
  // itself on: two copies of SQLite in one process (the adapter's better-sqlite3 and another version
  // for the checkpoint thread, the export worker and the migrations) do not see each other's locks,
  // and SQLite's own documentation lists that as a way to corrupt a database. It showed here as
  // "database is locked" (SQLITE_BUSY_SNAPSHOT) on a filing while the checkpoint thread ran.
  it('one SQLite library in the process: the Prisma adapter loads the better-sqlite3 our code loads', () => {
    const require = createRequire(import.meta.url);
    const adapters = createRequire(require.resolve('@prisma/adapter-better-sqlite3')).resolve('better-sqlite3');
    expect(adapters).toBe(require.resolve('better-sqlite3'));
  });

  it('only src/store/ imports the generated Prisma clients', () => {
    const offenders = code.filter((f) => !f.startsWith(path.join('src', 'store')) && /from ['"][^'"]*generated\//.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  // The PostgreSQL client carries the SQLite client's types (scripts/share-client-types.mjs), which is
  // only true while both are generated from one model.
  it('the PostgreSQL schema is the SQLite schema with another provider, and the store opens it without a cast', () => {
    expect(fs.readFileSync('prisma/pg/schema.prisma', 'utf8')).toBe(pgSchemaFrom(fs.readFileSync('prisma/schema.prisma', 'utf8')));
    const casts = sources(path.join('src', 'store')).filter((f) => /as unknown as/.test(fs.readFileSync(f, 'utf8')));
    expect(casts).toEqual([]);
  });

  it('jobs/ and the bot pipeline never branch on a platform name: they read capabilities', () => {
    const named = [...sources('jobs'), 'src/bot.ts', 'src/start.ts', 'src/config.ts'].filter((f) => /['"`](local|lark|wechat|wecom)['"`]/.test(withoutComments(fs.readFileSync(f, 'utf8'))));
    expect(named).toEqual([]);
  });

  it('every platform folder is listed once in src/platforms/index.ts', () => {
    const folders = fs.readdirSync('src/platforms', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const index = fs.readFileSync('src/platforms/index.ts', 'utf8');
    for (const f of folders) expect(index.split(`from './${f}/index.js'`).length - 1).toBe(1);
  });
});
