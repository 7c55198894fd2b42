// The server's own key: signs download links (files.ts) and the dashboard cookie. SECRET_KEY from
// the environment when set (several instances must share it), else generated once into
// DATA_DIR/secret.key, readable by the server's user only.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function loadSecretKey(dataDir: string, fromEnv?: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = path.join(dataDir, 'secret.key');
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} is damaged (shorter than 32 characters); delete it to generate a new key`);
  return Buffer.from(key, 'utf8');
}

/** DATA_DIR holds the database, session keys and exports: only the server's user may enter it. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (typeof process.getuid === 'function' && stat.uid === process.getuid() && (stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
