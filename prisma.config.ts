// Prisma CLI configuration. Prisma 6.19 runs fully offline only with the JS schema engine and a
// driver adapter, so migrations use the same adapters as the app.
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { resolveDatabaseUrl, isPostgresUrl, sqliteFilePath } from './src/database-url.js';

const url = resolveDatabaseUrl();
const postgres = isPostgresUrl(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: postgres ? 'prisma/pg/schema.prisma' : 'prisma/schema.prisma',
  async adapter() {
    if (postgres) return new PrismaPg({ connectionString: url });
    const file = sqliteFilePath(url);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url: file });
  },
});
