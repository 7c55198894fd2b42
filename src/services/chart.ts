// Bar charts as PNG, drawn as SVG and rasterised by resvg (no browser). Chinese labels need a CJK
// font on the machine (Debian: fonts-noto-cjk or fonts-wqy-microhei); without one the chart still
// renders, with rank numbers instead of unit names, so the reply never fails over a missing font.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

export interface Bar {
  label: string;
  value: number;
  /** Shown before the label; equal scores share a rank. Default: the bar's position. */
  rank?: number;
}

export interface BarChartInput {
  title: string;
  bars: Bar[];
  /** Shown after each value, e.g. "分". */
  unit?: string;
  /** At most this many bars are drawn (the rest are in the table); DEFAULT_BARS when absent. */
  limit?: number;
}

const KNOWN_CJK_FONTS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
];

let cjkFont: { file: string; family: string } | null | undefined;

/** A CJK font file and its family name, found once per process; null when there is none. */
export function findCjkFont(): { file: string; family: string } | null {
  if (cjkFont !== undefined) return cjkFont;
  cjkFont = null;
  try {
    const out = execFileSync('fc-list', [':lang=zh', 'file', 'family'], { encoding: 'utf8', timeout: 3000 });
    for (const line of out.split('\n')) {
      const m = line.match(/^(.+?):\s*([^,\n]+)/);
      if (m && /\.(ttf|ttc|otf)$/i.test(m[1]) && fs.existsSync(m[1])) {
        cjkFont = { file: m[1], family: m[2].trim() };
        break;
      }
    }
  } catch {
    // fontconfig is not installed; try the usual Debian paths below.
  }
  if (!cjkFont) {
    const file = KNOWN_CJK_FONTS.find((f) => fs.existsSync(f));
    if (file) cjkFont = { file, family: file.includes('wqy-microhei') ? 'WenQuanYi Micro Hei' : file.includes('zenhei') ? 'WenQuanYi Zen Hei' : file.includes('Noto') ? 'Noto Sans CJK SC' : 'Droid Sans Fallback' };
  }
  return cjkFont;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Display width in "half" characters: CJK counts as two. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e80 ? 2 : 1;
  return w;
}

function shorten(s: string, maxHalfWidth: number): string {
  if (textWidth(s) <= maxHalfWidth) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(out + ch) > maxHalfWidth - 2) break;
    out += ch;
  }
  return `${out}…`;
}

// resvg reads the whole font file again for every glyph it lays out, and a CJK font is megabytes:
// a chart of unit names took a few hundred milliseconds. So each character is turned into a path
// once per process (resvg's toString gives the outlines) and charts are drawn from those paths.
const EM = 100;
const glyphs = new Map<string, { d: string; advance: number }>();

function firstXs(d: string): number[] {
  return [...d.matchAll(/M\s*(-?[\d.]+)/g)].map((m) => Number(m[1]));
}

function loadGlyphs(chars: string[], font: { file: string; family: string }): void {
  const missing = [...new Set(chars)].filter((c) => !glyphs.has(c) && c.trim() !== '');
  if (!missing.length) return;
  // Unit names use a few thousand characters at most; the bound only guards against odd input.
  if (glyphs.size + missing.length > 8000) glyphs.clear();
  const wide = (c: string) => c.codePointAt(0)! > 0x2e80;
  const parts = missing.map((c, i) => {
    const y = (i + 1) * 2 * EM;
    const one = `<text id="a${i}" x="0" y="${y}" font-size="${EM}">${escapeXml(c)}</text>`;
    // Narrow characters are proportional: lay the character out twice to learn its advance.
    return wide(c) ? one : `${one}<text id="b${i}" x="0" y="${y}" font-size="${EM}">${escapeXml(c + c)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${parts.join('')}</svg>`;
  const out = new Resvg(svg, { font: { fontFiles: [font.file], loadSystemFonts: false, defaultFontFamily: font.family } }).toString();
  const groups = new Map<string, string>();
  for (const m of out.matchAll(/<g id="([ab]\d+)">([\s\S]*?)<\/g>/g)) groups.set(m[1], [...m[2].matchAll(/ d="([^"]+)"/g)].map((x) => x[1]).join(' '));
  missing.forEach((c, i) => {
    const d = groups.get(`a${i}`) ?? '';
    let advance = wide(c) ? EM : EM * 0.55;
    const twice = groups.get(`b${i}`);
    if (!wide(c) && d && twice) {
      const n = firstXs(d).length;
      const xs = firstXs(twice);
      if (xs.length > n) advance = xs[n] - xs[0];
    }
    // Outlines were drawn on the baseline y; store that offset with the path.
    glyphs.set(c, { d: d ? `<path transform="translate(0 ${-(i + 1) * 2 * EM})" d="${d}"/>` : '', advance });
  });
}

/** Text as glyph paths: x is the start, end or middle per anchor; y is the baseline. */
function textAsPaths(str: string, x: number, y: number, size: number, anchor: 'start' | 'middle' | 'end', fill: string): string {
  const chars = [...str];
  const scale = size / EM;
  const advanceOf = (c: string) => (c.trim() === '' ? EM * 0.3 : glyphs.get(c)?.advance ?? EM * 0.55);
  const width = chars.reduce((w, c) => w + advanceOf(c), 0) * scale;
  let pen = anchor === 'end' ? x - width : anchor === 'middle' ? x - width / 2 : x;
  const out: string[] = [];
  for (const c of chars) {
    const g = glyphs.get(c);
    if (g?.d) out.push(`<g transform="translate(${pen.toFixed(2)} ${y}) scale(${scale})">${g.d}</g>`);
    pen += advanceOf(c) * scale;
  }
  return `<g fill="${fill}">${out.join('')}</g>`;
}

/** Bars drawn unless the input says otherwise: the chat's list has every unit, the picture the leaders. */
export const DEFAULT_BARS = 10;

/**
 * Phone-first layout: a chat shows the picture about 300 px wide, so the chart is narrow (480 units)
 * with large type, each unit's name and score on their own line above its bar, and a title wrapped
 * onto two lines rather than shrunk.
 */
const LAYOUT = { width: 480, pad: 16, titleSize: 20, labelSize: 18, rowH: 50, barH: 14 };

/** A title in at most two lines that fit the chart. */
function titleLines(title: string, maxHalfWidth: number): string[] {
  if (textWidth(title) <= maxHalfWidth) return [title];
  // A remark in brackets at the end ("（前10名）") goes onto the second line whole.
  const remark = title.lastIndexOf('（');
  if (remark > 0 && textWidth(title.slice(0, remark)) <= maxHalfWidth) return [title.slice(0, remark), shorten(title.slice(remark), maxHalfWidth)];
  let first = '';
  for (const ch of title) {
    if (textWidth(first + ch) > maxHalfWidth) break;
    first += ch;
  }
  return [first, shorten(title.slice(first.length), maxHalfWidth)];
}

/** The chart as SVG text (exposed for tests and for platforms that take SVG). */
export function barChartSvg(input: BarChartInput, cjk = findCjkFont() !== null, asPaths = false): string {
  const { width, pad, titleSize, labelSize, rowH, barH } = LAYOUT;
  const bars = input.bars.slice(0, input.limit ?? DEFAULT_BARS);
  const inner = width - 2 * pad;
  const titles = cjk ? titleLines(input.title, Math.floor((2 * inner) / titleSize)) : ['Standings'];
  const top = pad + titles.length * (titleSize + 8) + 8;
  const height = top + Math.max(1, bars.length) * rowH + pad;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const label = (str: string, x: number, y: number, size: number, anchor: 'start' | 'middle' | 'end', fill: string, bold = false) =>
    asPaths ? textAsPaths(str, x, y, size, anchor, fill) : `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="${size}"${bold ? ' font-weight="bold"' : ''} fill="${fill}">${escapeXml(str)}</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${labelSize}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...titles.map((t, i) => label(t, width / 2, pad + titleSize + i * (titleSize + 8), titleSize, 'middle', '#1f2937', true)),
  ];
  if (!bars.length) parts.push(label(cjk ? '暂无数据' : 'no data', width / 2, top + labelSize, labelSize, 'middle', '#6b7280'));
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const value = `${b.value}${cjk && input.unit ? input.unit : ''}`;
    // The value takes its own room at the right; the name gets the rest of the line.
    const nameRoom = Math.floor((2 * inner) / labelSize) - textWidth(value) - 2;
    const rank = b.rank ?? i + 1;
    const name = cjk ? `${rank}. ${shorten(b.label, nameRoom - 4)}` : `No.${rank}  ${value}`;
    parts.push(
      label(name, pad, y + labelSize, labelSize, 'start', '#374151'),
      ...(cjk ? [label(value, width - pad, y + labelSize, labelSize, 'end', '#111827', true)] : []),
      `<rect x="${pad}" y="${y + labelSize + 8}" width="${Math.max(2, (b.value / max) * inner).toFixed(1)}" height="${barH}" rx="3" fill="${i < 3 ? '#d97706' : '#2563eb'}"/>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Renders the bar chart to PNG bytes. */
export function renderBarChart(input: BarChartInput): Buffer {
  const font = findCjkFont();
  let asPaths = false;
  if (font) {
    const bars = input.bars.slice(0, input.limit ?? DEFAULT_BARS);
    try {
      loadGlyphs([...input.title, ...bars.flatMap((b) => [...b.label, ...String(b.value)]), ...(input.unit ?? ''), ...'0123456789. 暂无数据…'], font);
      asPaths = true;
    } catch {
      // Draw with ordinary text instead: slower, same picture.
    }
  }
  const svg = barChartSvg(input, font !== null, asPaths);
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: 1.5 },
    // Glyphs already drawn as paths need no font; without a CJK font the labels are ASCII (rank
    // numbers) and any system font will do.
    font: asPaths ? { loadSystemFonts: false } : font ? { fontFiles: [font.file], loadSystemFonts: false, defaultFontFamily: font.family } : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
