// `npm run build` (also run at install): compiles the bot to dist/ with tsc and copies what tsc does
// not emit — the generated Prisma clients (JavaScript and a WebAssembly query compiler) — beside the
// compiled store that imports them. Incremental: a second run compiles only what changed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) {
  // An install without devDependencies (npm ci --omit=dev) of a checkout that ships dist/ already.
  if (fs.existsSync(path.join(root, 'dist', 'src', 'main.js'))) process.exit(0);
  console.error('Cannot build Saiwu: TypeScript is not installed. Run "npm install" (with devDependencies), then "npm run build".');
  process.exit(1);
}
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
for (const client of ['sqlite', 'pg']) {
  const from = path.join(root, 'src', 'generated', client);
  if (!fs.existsSync(from)) throw new Error(`src/generated/${client} is missing: run "npx prisma generate" (npm install does)`);
  fs.cpSync(from, path.join(root, 'dist', 'src', 'generated', client), { recursive: true });
}
