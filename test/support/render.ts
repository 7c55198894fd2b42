// Opens a produced .xlsx or .docx the way a federation's office would see it: LibreOffice converts it
// to PDF (headless), poppler reads the PDF back — page count, and every word with its box, from which
// the printed font size follows (a word's box is about 1.03 × its size for CJK text). Skipped with a
// note when LibreOffice is missing, unless SAIWU_REQUIRE_SOFFICE is set (CI sets it).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice', '/usr/local/bin/soffice'].find((p) => fs.existsSync(p)) ?? null;
const required = !['', '0', 'false', 'no'].includes((process.env.SAIWU_REQUIRE_SOFFICE ?? '').trim().toLowerCase());
if (!SOFFICE && required) throw new Error('SAIWU_REQUIRE_SOFFICE is set but LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils');
if (!SOFFICE) console.warn('Skipping the LibreOffice rendering checks: soffice is not installed (apt-get install libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils). Set SAIWU_REQUIRE_SOFFICE=1 to make this a failure.');

export interface RenderedWord {
  text: string;
  page: number;
  /** Font size in points, from the word's box height. */
  size: number;
  x: number;
  y: number;
}

export interface Rendered {
  pages: number;
  /** Page width and height in points (A4 landscape is 842 × 595). */
  width: number;
  height: number;
  words: RenderedWord[];
  text: string;
  /** Each page's text, whitespace removed (pdftotext spaces Latin and CJK apart). */
  pageTexts: string[];
  pdf: string;
}

/** Converts the file with LibreOffice and reads the PDF back. */
export async function renderThroughLibreOffice(data: Buffer, fileName: string): Promise<Rendered> {
  if (!SOFFICE) throw new Error('soffice is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-render-'));
  const input = path.join(dir, fileName);
  fs.writeFileSync(input, data);
  // A profile of its own: conversions running side by side must not share LibreOffice's lock.
  const profile = `file://${path.join(dir, 'profile')}`;
  await run(SOFFICE, [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, input], { timeout: 120_000 });
  const pdf = path.join(dir, fileName.replace(/\.[^.]+$/, '.pdf'));
  if (!fs.existsSync(pdf)) throw new Error(`LibreOffice did not convert ${fileName}`);
  const info = (await run('pdfinfo', [pdf])).stdout;
  const pages = Number(info.match(/Pages:\s+(\d+)/)?.[1] ?? 0);
  const [, width, height] = info.match(/Page size:\s+([\d.]+) x ([\d.]+)/) ?? [];
  const html = (await run('pdftotext', ['-bbox', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  const words: RenderedWord[] = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = line.match(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*)<\/word>/);
    if (m) words.push({ text: unescape(m[4]), page, size: (Number(m[3]) - Number(m[2])) / 1.03, x: Number(m[1]), y: Number(m[2]) });
  }
  const text = (await run('pdftotext', ['-layout', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  return { pages, width: Number(width), height: Number(height), words, text, pageTexts: text.split('\f').map((t) => t.replace(/\s+/g, '')), pdf };
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** The smallest printed size of text with Chinese characters in it (Latin digits are drawn taller). */
export function smallestCjkSize(r: Rendered): number {
  const cjk = r.words.filter((w) => /[\u4e00-\u9fff]/.test(w.text));
  return Math.min(...cjk.map((w) => w.size));
}

/** The first page (1-based) whose text holds `text` (whitespace ignored), or undefined. */
export function pageOfText(r: Rendered, text: string): number | undefined {
  const wanted = text.replace(/\s+/g, '');
  const i = r.pageTexts.findIndex((t) => t.includes(wanted));
  return i < 0 ? undefined : i + 1;
}
