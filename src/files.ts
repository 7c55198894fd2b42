// Files the bot produces (Excel exports, chart images), kept under DATA_DIR/files and served to the
// local chat at /files/<random id>/<name>. A union's tables must not stay downloadable forever: every
// link expires after FILE_TTL_HOURS and the file is deleted. When the server listens on more than the
// loopback address, a link also carries its expiry and an HMAC signature, so a guessed or old path
// does not open anything.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export interface FileStoreOptions {
  /** How long a file (and its link) lives. */
  ttlMs: number;
  /** Key of the link signatures (see secret-key.ts). */
  key: Buffer;
  /** Whether links must be signed (HOST is not a loopback address). */
  signLinks: boolean;
}

export type Resolved = { ok: true; path: string } | { ok: false; status: 403 | 404; error: string };

const EXPIRED = '下载链接已过期，文件已删除。请重新发送命令生成新的文件。';
const NOT_FOUND = '文件不存在或链接已过期。请重新发送命令生成新的文件。';

export class FileStore {
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly root: string, private readonly opts: FileStoreOptions) {}

  /** Stores the file and returns its link path, e.g. "/files/<id>/名单.xlsx?exp=…&sig=…". */
  async save(fileName: string, data: Buffer): Promise<string> {
    const id = randomUUID();
    const safe = path.basename(fileName).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
    await fsp.mkdir(path.join(this.root, id), { recursive: true, mode: 0o700 });
    await fsp.writeFile(path.join(this.root, id, safe), data, { mode: 0o600 });
    const relative = `${id}/${encodeURIComponent(safe)}`;
    if (!this.opts.signLinks) return `/files/${relative}`;
    const exp = Math.floor((Date.now() + this.opts.ttlMs) / 1000);
    return `/files/${relative}?exp=${exp}&sig=${this.sign(`${id}/${safe}`, exp)}`;
  }

  private sign(file: string, exp: number): string {
    return createHmac('sha256', this.opts.key).update(`files:${file}:${exp}`).digest('base64url').slice(0, 32);
  }

  /** The file behind a request path (already URL-decoded by the router) and query, or why it cannot be served. */
  resolve(relative: string, query: { exp?: string; sig?: string } = {}): Resolved {
    const full = path.resolve(this.root, relative);
    const inside = path.relative(path.resolve(this.root), full).split(path.sep);
    // Exactly <id>/<name>: nothing outside the store, no directory listing.
    if (inside.length !== 2 || inside.some((p) => p === '..' || p === '')) return { ok: false, status: 404, error: NOT_FOUND };
    if (this.opts.signLinks) {
      const exp = Number(query.exp);
      const given = Buffer.from(String(query.sig ?? ''));
      const wanted = Buffer.from(Number.isInteger(exp) ? this.sign(inside.join('/'), exp) : '');
      if (!wanted.length || given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, status: 403, error: '下载链接无效。请使用机器人发来的完整链接。' };
      if (exp * 1000 < Date.now()) return { ok: false, status: 404, error: EXPIRED };
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      return { ok: false, status: 404, error: NOT_FOUND };
    }
    if (!stat.isFile()) return { ok: false, status: 404, error: NOT_FOUND };
    if (stat.mtimeMs + this.opts.ttlMs < Date.now()) {
      void this.remove(path.dirname(full));
      return { ok: false, status: 404, error: EXPIRED };
    }
    return { ok: true, path: full };
  }

  /** Deletes every file older than the TTL. Wall-clock time: retention is about real days. */
  async sweep(): Promise<number> {
    let removed = 0;
    const entries = await fsp.readdir(this.root, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const dir = path.join(this.root, e.name);
      const stat = await fsp.stat(dir).catch(() => null);
      if (stat && stat.mtimeMs + this.opts.ttlMs < Date.now()) {
        await this.remove(dir);
        removed++;
      }
    }
    return removed;
  }

  private async remove(dir: string): Promise<void> {
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Sweeps now and then every `everyMs` until stop(). */
  startSweeping(everyMs: number, onError: (err: unknown) => void): void {
    const run = () => void this.sweep().catch(onError);
    run();
    this.sweeper = setInterval(run, everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
