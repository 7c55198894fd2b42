// Files the bot produces (Excel exports, chart images) kept under DATA_DIR/files and served to the
// local chat by a random, unguessable path.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

export class FileStore {
  constructor(private readonly root: string) {}

  async save(fileName: string, data: Buffer): Promise<string> {
    const id = randomUUID();
    const safe = path.basename(fileName).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
    await fs.mkdir(path.join(this.root, id), { recursive: true });
    await fs.writeFile(path.join(this.root, id, safe), data);
    return `${id}/${encodeURIComponent(safe)}`;
  }

  /** The absolute path for a stored relative path, or null if it escapes the store. */
  resolve(relative: string): string | null {
    const full = path.resolve(this.root, decodeURIComponent(relative));
    return full.startsWith(path.resolve(this.root) + path.sep) ? full : null;
  }
}
