// Plain-text renderings for platforms without cards (WeChat, the local chat's text bubbles).
import type { TableReply } from './messages.js';

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

/** A table as text: its phone lines when it has them, else a compact aligned table. */
export function renderTableText(table: TableReply): string {
  const more = table.more ? [`${table.more.label}：发送 ${table.more.command}`] : [];
  if (table.lines) return [table.title, ...table.lines, ...(table.note ? [table.note] : []), ...more].join('\n');
  const cells = [table.columns, ...table.rows.map((r) => r.map((c) => String(c)))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  const lines = [table.title, ...cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]))).join(' ').trimEnd())];
  if (table.note) lines.push(table.note);
  if (table.cellsNote) lines.push(table.cellsNote);
  return [...lines, ...more].join('\n');
}

/** Where a list in one line may be cut: after an enumeration comma, a comma, a semicolon or a space. */
const SEPARATORS = new Set(['、', '，', '；', ',', ';', ' ']);

/**
 * A line longer than `max` in pieces of at most `max` code points (an emoji is never split in two),
 * each cut after the last separator in its second half where there is one: a roll-call of hundreds of
 * units is one line, and a unit's name must not be cut across two messages.
 */
function piecesOf(line: string, max: number): string[] {
  const chars = [...line];
  const out: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    let end = start + max;
    for (let k = end - 1; k >= start + max / 2; k--) {
      if (SEPARATORS.has(chars[k])) {
        end = k + 1;
        break;
      }
    }
    out.push(chars.slice(start, end).join(''));
    start = end;
  }
  out.push(chars.slice(start).join(''));
  return out;
}

/** Splits long text at line boundaries into chunks of at most `max` characters. */
export function splitText(text: string, max = 1500): string[] {
  if (text.length <= max) return [text];
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const pieces = line.length > max ? piecesOf(line, max) : [line];
    for (const piece of pieces) {
      if (current && current.length + 1 + piece.length > max) {
        chunks.push(current);
        current = piece;
      } else {
        current = current ? `${current}\n${piece}` : piece;
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
