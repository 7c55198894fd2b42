// Runs after `prisma generate` (npm's postinstall). The PostgreSQL client is generated from the same
// model as the SQLite one — prisma/pg/schema.prisma is written from prisma/schema.prisma by
// scripts/sync-pg-schema.ts, and only the provider and output differ (test/structure.test.ts checks
// it) — but Prisma emits a second, separate copy of every type, and TypeScript cannot prove the two
// copies' conditional types equal. So the PostgreSQL client's declarations are replaced by the SQLite
// client's: one model, one set of types, and the store opens either database without a cast.
// Plain Node (no tsx) because postinstall also runs on production installs without devDependencies.
import fs from 'node:fs';

const target = new URL('../src/generated/pg/index.d.ts', import.meta.url);
fs.writeFileSync(
  target,
  "// Written by scripts/share-client-types.mjs: the PostgreSQL client carries the SQLite client's types (same model).\nexport * from '../sqlite/index.js';\n",
);
