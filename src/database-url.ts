import path from 'node:path';

/** Where the database lives: DATABASE_URL if set, else an SQLite file under DATA_DIR. */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL && env.DATABASE_URL.trim() !== '') return env.DATABASE_URL.trim();
  const dataDir = path.resolve(env.DATA_DIR || './data');
  return `file:${path.join(dataDir, 'saiwu.db')}`;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The file path behind a `file:` SQLite URL. */
export function sqliteFilePath(url: string): string {
  return url.replace(/^file:/, '');
}
