// Where the project's files are, whether the bot runs from its TypeScript sources (tsx, the tests) or
// compiled under dist/ (npm start): the folder holding package.json, found by walking up from here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'prisma'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the Saiwu project folder above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A file of the project by its path from the project folder ("src/web/local-chat.html"). */
export const projectFile = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
