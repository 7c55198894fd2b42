// The common layout of every sheet we export, after the official attachments: a merged title row, a
// "单位：" row (with the 上报 deadline or export date on the right), then the header row — frozen while
// scrolling and repeated on every printed page. Everything prints on A4 landscape in 宋体 at 五号
// (10.5 pt) with thin borders on every cell of the table: column widths are fitted to a budget that
// A4 landscape holds at full size, and long text wraps with the row growing to fit, so the page is
// never shrunk below a readable size. Sheets are streamed out by exceljs's streaming writer: small
// ones described as plain models first (writeWorkbook), the large export tables row by row as they
// are read from the database (streamWorkbook), so an export of 50,000 plans never holds its rows.
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { loadExcelJs } from './exceljs.js';
import type { FieldDef } from '../../forms/types.js';

export interface ColumnSpec {
  header: string;
  /** Minimum width in Excel character units (from the form's `column` entry). */
  width: number;
  /** Excel number format for numeric columns. */
  numFmt?: string;
  /** Short values (numbers, dates, levels): never narrowed below their widest value to save room. */
  fixed?: boolean;
}

export type Cell = string | number | null;

/** band: a unit's heading row, merged across; subtotal/total: bold sums; note: a merged remark. */
export type RowKind = 'data' | 'band' | 'subtotal' | 'total' | 'note';

export interface SheetRow {
  kind: RowKind;
  cells: Cell[];
}

export interface SheetModel {
  name: string;
  title: string;
  unitLine: string;
  /** Right of the 单位 line: "此表请于2027年2月28日前上报", or the export date. */
  dateLine: string;
  /** Printed at the foot of every page, left (the export date). */
  footer?: string;
  columns: ColumnSpec[];
  rows: SheetRow[];
}

export interface SheetHeading {
  title: string;
  unitLine: string;
  dateLine: string;
  footer?: string;
}

/** Header and width of every field that has a column in the official table, in form order. */
export function formColumns(fields: FieldDef[]): ColumnSpec[] {
  // Only money gets a number format: every formatted cell costs exceljs a style lookup, and plain
  // integers read fine without one (they are numbers either way).
  return fields.filter((f) => f.column).map((f) => ({ header: f.column!.header, width: f.column!.width, ...(f.type === 'money' ? { numFmt: '#,##0.00' } : {}) }));
}

/** "测试区总工会" → "测试区": the area name the official titles use. */
export function areaName(unitName: string): string {
  return unitName.replace(/(总工会|工会联合会|工会委员会|工会)$/, '') || unitName;
}

/** Text length of a number as toLocaleString('en-US') writes it (1,234.5), without formatting integers. */
function numberLength(n: number): number {
  if (Number.isSafeInteger(n)) {
    const a = n < 0 ? -n : n;
    let digits = 1;
    for (let p = 10; a >= p && digits < 16; p *= 10) digits++;
    return digits + Math.floor((digits - 1) / 3) + (n < 0 ? 1 : 0);
  }
  return n.toLocaleString('en-US').length;
}

/** Width of text in Excel character units: a CJK character is about two. */
export function displayWidth(value: unknown): number {
  if (typeof value === 'number') return numberLength(value) * 1.1;
  const s = value === null || value === undefined ? '' : String(value);
  let w = 0;
  for (let i = 0; i < s.length; i++) w += s.charCodeAt(i) > 0x2e80 ? 2.1 : 1.1;
  return w;
}

export const HEADER_ROWS = 3;
const MAX_WIDTH = 60;
/** Column widths A4 landscape (10.7 in between 0.5 in margins) holds at 100 %, in character units. */
export const PRINT_WIDTH_BUDGET = 138;
/** 五号 in 宋体, the size of official forms; with the budget above it is also the printed size. */
export const BODY_FONT = { name: '宋体', size: 10.5 };
const LINE_PT = 14;
/** Excel's tallest row; a longer text (a year-end report) is read in the Word document. */
const MAX_ROW_PT = 409;
const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const FILLS: Partial<Record<RowKind, string>> = { band: 'FFF3F4F6', subtotal: 'FFFAFAFA', total: 'FFFFF4E5' };

/**
 * Column widths: each fits its longest value (capped), never below the column's width; headers wrap
 * rather than widen a column. When the sum exceeds what A4 landscape holds, the widest text columns
 * give way, down to 70 % of their width (their text wraps instead). Rows are measured one at a time,
 * so a sheet streamed from the database is measured in a pass before it is written.
 */
export class WidthMeter {
  private readonly widest: number[];

  constructor(private readonly columns: ColumnSpec[]) {
    this.widest = columns.map((c) => Math.max(c.width, Math.min(displayWidth(c.header) + 2, c.width + 4)));
  }

  add(row: SheetRow): void {
    if (row.kind !== 'data' && row.kind !== 'subtotal' && row.kind !== 'total') return;
    for (let i = 0; i < this.widest.length; i++) {
      // A column as wide as a column gets stays so: its text need not be weighed any more.
      if (this.widest[i] >= MAX_WIDTH - 0.5) continue;
      const w = displayWidth(row.cells[i]) + 2;
      if (w > this.widest[i]) this.widest[i] = w;
    }
  }

  widths(): number[] {
    const out = this.widest.map((w) => Math.min(MAX_WIDTH, Math.round(w)));
    const floor = this.columns.map((c, i) => (c.fixed ? out[i] : Math.max(8, Math.min(out[i], Math.round(c.width * 0.7)))));
    let excess = out.reduce((a, b) => a + b, 0) - PRINT_WIDTH_BUDGET;
    while (excess > 0) {
      // Narrow the widest column that still can be, one character at a time.
      let widest = -1;
      for (let i = 0; i < out.length; i++) if (out[i] > floor[i] && (widest < 0 || out[i] > out[widest])) widest = i;
      if (widest < 0) break;
      out[widest]--;
      excess--;
    }
    return out;
  }
}

export function widthsOf(model: Pick<SheetModel, 'columns' | 'rows'>): number[] {
  const meter = new WidthMeter(model.columns);
  for (const row of model.rows) meter.add(row);
  return meter.widths();
}

/**
 * Lines a row needs when its cells wrap at the given widths. A CJK character in 宋体 五号 takes about
 * 1.8 width units when drawn (displayWidth's 2.1 leaves room when sizing columns).
 */
function linesOf(cells: Cell[], widths: number[]): number {
  let lines = 1;
  for (let i = 0; i < widths.length; i++) {
    const v = cells[i];
    let w = 0;
    if (typeof v === 'number') w = numberLength(v);
    else if (v !== null && v !== undefined) {
      const s = String(v);
      // Short enough whatever its characters: no need to weigh them.
      if (s.length * 1.8 <= widths[i] - 1) continue;
      for (let k = 0; k < s.length; k++) w += s.charCodeAt(k) > 0x2e80 ? 1.8 : 1;
    }
    if (w > widths[i] - 1) lines = Math.max(lines, Math.ceil(w / Math.max(1, widths[i] - 1)));
  }
  return lines;
}

// One style object per look, shared by every cell that has it: exceljs keys its style table on the
// object (a WeakMap) and otherwise renders each cell's font, border and fill to XML to find its
// style, which was most of an export's time. Never modified after creation.
const cellStyles = new Map<string, Partial<ExcelJS.Style>>();
/** Names a cell's style object: the same key is the same style in every sheet (and thread). */
const cellStyleKey = (kind: RowKind, centred: boolean, numFmt: string | undefined) => `${kind}|${centred ? 'c' : ''}|${numFmt ?? ''}`;
function cellStyle(kind: RowKind, centred: boolean, numFmt: string | undefined): Partial<ExcelJS.Style> {
  const key = cellStyleKey(kind, centred, numFmt);
  let style = cellStyles.get(key);
  if (!style) {
    const fill = FILLS[kind];
    style = {
      ...(numFmt ? { numFmt } : {}),
      font: kind !== 'data' ? { ...BODY_FONT, bold: true } : BODY_FONT,
      border: BORDER,
      alignment: { wrapText: true, vertical: 'middle', ...(centred ? { horizontal: 'center' as const } : {}) },
      ...(fill ? { fill: { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: fill } } } : {}),
    };
    cellStyles.set(key, style);
  }
  return style;
}

/**
 * Characters an XML file may not hold, which exceljs (utils.xmlEncode) lets through: the
 * noncharacters U+FFFE and U+FFFF, and half of a surrogate pair (UTF-8 has no bytes for one; Node
 * writes U+FFFD). One such cell made the whole sheet unreadable: LibreOffice stopped at it. The
 * forms refuse them (forms/coerce.ts), but older filings, imports and unit names may hold them.
 */
const NOT_XML = /[\uFFFE\uFFFF\uD800-\uDFFF]/;
/** Pairs first, kept as they are; a surrogate left over is half of one. */
const NOT_XML_ALL = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF\uFFFE\uFFFF]/g;

/** Text without the characters XML cannot hold (most text has none: it is returned as it is). */
export function xmlSafe(s: string): string {
  return NOT_XML.test(s) ? s.replace(NOT_XML_ALL, (c) => (c.length === 2 ? c : '')) : s;
}

/**
 * The same escaping as exceljs's (utils.xmlEncode): XML specials, control characters dropped; and
 * the characters xmlSafe drops, which the rows written through exceljs have dropped before (add).
 */
function xmlText(s: string): string {
  // One test for all (a surrogate pair too, rare): most cells are written as they are.
  // eslint-disable-next-line no-control-regex
  return /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/.test(s) ? s.replace(XML_ESCAPE_ALL, (c) => (c.length === 2 ? c : XML_ESCAPES[c] ?? '')) : s;
}
// eslint-disable-next-line no-control-regex
const XML_ESCAPE_ALL = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/g;
const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/** A row's cells with xmlSafe text (the same row when none needs it). */
function xmlSafeCells(cells: Cell[]): Cell[] {
  return cells.some((c) => typeof c === 'string' && NOT_XML.test(c)) ? cells.map((c) => (typeof c === 'string' ? xmlSafe(c) : c)) : cells;
}

function columnLetters(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** Whether a table row is written by the fast path (rowRenderer); the others go through exceljs. */
const renderedKind = (kind: RowKind) => kind === 'data' || kind === 'subtotal' || kind === 'total';

/**
 * Numbers centred: right-aligned, they print flush against the next column's text. Short marks in
 * a column of short values (是/否, —, 已开展) too, so they line up with the numbers beside them.
 */
function centredAt(columns: ColumnSpec[], row: SheetRow, i: number): boolean {
  const v = row.cells[i];
  return typeof v === 'number' || (row.kind === 'data' && columns[i]?.fixed === true && typeof v === 'string' && (v.length <= 4 || (v.length <= 8 && [...v].length <= 4)));
}

/** Rows grow with wrapped text (Excel does not size them on open; LibreOffice would). */
const heightOf = (row: SheetRow, widths: number[]) => Math.min(MAX_ROW_PT, (row.kind === 'band' ? 1 : linesOf(row.cells, widths)) * LINE_PT + 6);

/** exceljs's cell type of a value, as its style table is told on a style's first cell. */
type CellType = 0 | 2 | 3;
const cellTypeOf = (v: Cell): CellType => (typeof v === 'number' ? 2 : v === null ? 0 : 3);

/**
 * The style attribute of a table cell, from the quote that closes its reference: `" s="7"`, or `"`
 * for the default style (whose empty cells are left out).
 */
type StyleAttr = (kind: RowKind, column: number, centred: boolean, value: Cell) => string;

/**
 * Table rows (data, subtotal, total) as exceljs renders them (row-xform, cell-xform): `render(row, r)`
 * gives row r's XML. Used by the sheet writer below and by the render workers (sheet-render.ts).
 */
function rowRenderer(columns: ColumnSpec[], widths: number[], styleAttr: StyleAttr): (row: SheetRow, r: number) => string {
  const n = columns.length;
  // Each cell's opening tag up to its row number, worked out once.
  const cellOpen = columns.map((_, i) => `<c r="${columnLetters(i + 1)}`);
  return (row, r) => {
    let xml = `<row r="${r}" ht="${heightOf(row, widths)}" customHeight="1" spans="1:${n}" x14ac:dyDescent="0.25">`;
    for (let i = 0; i < n; i++) {
      const v = row.cells[i] ?? null;
      const attr = styleAttr(row.kind, i, centredAt(columns, row, i), v);
      if (v === null) xml += attr === '"' ? '' : cellOpen[i] + r + attr + '/>';
      else if (typeof v === 'number') xml += cellOpen[i] + r + attr + '><v>' + v + '</v></c>';
      else xml += cellOpen[i] + r + attr + ' t="str"><v>' + xmlText(v) + '</v></c>';
    }
    return `${xml}</row>`;
  };
}

/** A style a sheet's rows use, as a render worker reports its first use. */
export interface StyleUse {
  kind: RowKind;
  centred: boolean;
  numFmt?: string;
  cellType: CellType;
}

/**
 * Stands in a rendered row for a style attribute the renderer did not know: this character, then
 * one telling which of the sheet's StyleUses (0x30 + its index). Neither can be in a cell's text,
 * which drops control characters (xmlText), and both are one byte in UTF-8.
 */
const STYLE_TOKEN = 0x01;
const TOKEN_BASE = 0x30;
const MAX_TOKENS = 64;

/**
 * A renderer for a thread that cannot register styles (a render worker): styles the workbook had
 * when the job was given (`known`, by cellStyleKey) are written as they are, the others as tokens;
 * `uses` lists those in the order of their first cell, with its type — the order in which the
 * workbook's own writer would have registered them.
 */
export function tokenRenderer(columns: ColumnSpec[], widths: number[], known: Record<string, string>): { render: (row: SheetRow, r: number) => string; uses: StyleUse[] } {
  const uses: StyleUse[] = [];
  const tokens = new Map<string, string>();
  const cache: string[] = [];
  const n = columns.length;
  const styleAttr: StyleAttr = (kind, i, centred, v) => {
    const slot = ((kind === 'data' ? 0 : kind === 'subtotal' ? 1 : 2) * n + i) * 2 + (centred ? 1 : 0);
    let attr = cache[slot];
    if (attr === undefined) {
      const numFmt = columns[i]?.numFmt;
      const key = cellStyleKey(kind, centred, numFmt);
      attr = known[key] ?? tokens.get(key);
      if (attr === undefined) {
        if (uses.length >= MAX_TOKENS) throw new Error('too many styles to render elsewhere');
        attr = String.fromCharCode(STYLE_TOKEN, TOKEN_BASE + uses.length);
        uses.push({ kind, centred, ...(numFmt ? { numFmt } : {}), cellType: cellTypeOf(v) });
        tokens.set(key, attr);
      }
      cache[slot] = attr;
    }
    return attr;
  };
  return { render: rowRenderer(columns, widths, styleAttr), uses };
}

/**
 * Rows rendered elsewhere (tokenRenderer) for a sheet: their bytes (each block used before the next
 * is asked for), how many, the styles they stand in for. They may still be being rendered while they
 * are copied: `uses` may grow as blocks come (a token's style is in it by the time its block is),
 * and `rows` is read once the blocks have ended (the rows in them).
 */
export interface RenderedRows {
  blocks: AsyncIterable<Buffer>;
  readonly rows: number;
  readonly uses: StyleUse[];
}

/**
 * exceljs 4.4's WorksheetWriter, as far as the fast row path below relies on it. These are exceljs's
 * internals, not its API: package.json pins exceljs to the exact version they were read from (a
 * minor release may change them). fastRowsPossible and drain fall back when they are not found;
 * test/export-stream.test.ts compares the fast rows with exceljs's own, byte for byte.
 */
interface WriterInternals {
  startedData: boolean;
  _rowZero: number;
  _rows: unknown[];
  /**
   * exceljs's StreamBuf: 64 KB buffers, handed to its pipes once the zip has reached this sheet
   * (archiver's PassThrough in front of the compressor, readable-stream's: lengths in its states).
   */
  stream: { write(data: string | Buffer): unknown; pipes?: Pipe[]; buffers?: unknown[]; _flush?: () => void };
}
interface Pipe {
  write?(chunk: Buffer): unknown;
  _writableState?: { length?: number };
  _readableState?: { length?: number };
}
/** Bytes written into a pipe and not yet read out of it. */
const waiting = (p: Pipe) => (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);

/** Bytes of table rows encoded before they are handed to the sheet's stream. */
const ROW_CHUNK = 256 * 1024;

/** Bytes of a sheet allowed to wait for compression before the writer waits. */
const BACKLOG = 16 * 1024 * 1024;

/** Whether this exceljs's worksheet writer has the internals the fast row path writes through. */
function fastRowsPossible(ws: unknown): boolean {
  const w = ws as Partial<WriterInternals>;
  return typeof w._rowZero === 'number' && Array.isArray(w._rows) && typeof w.startedData === 'boolean';
}

/** Set to false to write every row through exceljs's own Row objects (the test compares the two). */
export const FAST_ROWS = { enabled: true };

/** A sheet being written: the heading rows are out; rows go out as they are added. */
export interface SheetWriter {
  add(row: SheetRow): void;
  /**
   * Hands the rows added so far to the zip and waits while much of them is still to be compressed:
   * call it between pages, so memory holds a few megabytes of the sheet, never all of it.
   */
  drain(): Promise<void>;
  /** Whether table rows are written by the fast path here, so rows rendered elsewhere can be added. */
  readonly fast: boolean;
  /**
   * Adds table rows rendered elsewhere (tokenRenderer, with this sheet's columns and widths, row
   * numbers following the rows added so far): registers the styles they stand in for, in their
   * order, and writes the rows with each token replaced, waiting for the zip between blocks. Returns
   * how many rows it added.
   */
  addRendered(rendered: RenderedRows): Promise<number>;
  commit(): void;
}

export interface SheetLayout extends SheetHeading {
  name: string;
  columns: ColumnSpec[];
}

export interface WorkbookStream {
  /** Starts a sheet; the previous one must be committed. Widths from a WidthMeter over its rows. */
  sheet(layout: SheetLayout, widths: number[]): SheetWriter;
  /** The table-cell styles the workbook has so far (by cellStyleKey), for tokenRenderer. */
  knownStyles(): Record<string, string>;
}

function openSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, layout: SheetLayout, widths: number[], known: Record<string, string>): SheetWriter {
  // The heading holds unit names (xmlSafe: see NOT_XML).
  const model: SheetLayout = {
    ...layout, title: xmlSafe(layout.title), unitLine: xmlSafe(layout.unitLine), dateLine: xmlSafe(layout.dateLine),
    ...(layout.footer === undefined ? {} : { footer: xmlSafe(layout.footer) }),
  };
  const ws = wb.addWorksheet(model.name, {
    views: [{ state: 'frozen', ySplit: HEADER_ROWS, xSplit: 0 }],
    pageSetup: {
      orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: `&L${footerText(model.footer ?? '')}&C第 &P 页，共 &N 页` },
  });
  const n = model.columns.length;
  ws.columns = model.columns.map((c, i) => ({ width: widths[i], ...(c.numFmt ? { style: { numFmt: c.numFmt, font: BODY_FONT } } : {}) }));

  const title = ws.addRow([model.title]);
  title.height = 30;
  title.getCell(1).font = { name: '宋体', size: 16, bold: true };
  title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  if (n > 1) ws.mergeCells(1, 1, 1, n);
  title.commit();

  const split = Math.max(1, Math.ceil(n / 2));
  const unitCells: Cell[] = [model.unitLine];
  if (n > 1) unitCells[split] = model.dateLine;
  const unitRow = ws.addRow(unitCells);
  unitRow.font = BODY_FONT;
  unitRow.height = 20;
  if (n > 1) {
    unitRow.getCell(split + 1).alignment = { horizontal: 'right', vertical: 'middle' };
    if (split > 1) ws.mergeCells(2, 1, 2, split);
    if (split + 1 < n) ws.mergeCells(2, split + 1, 2, n);
  }
  unitRow.commit();

  const header = ws.addRow(model.columns.map((c) => c.header));
  header.height = Math.max(22, linesOf(model.columns.map((c) => c.header), widths) * LINE_PT + 6);
  for (let i = 1; i <= n; i++) {
    const cell = header.getCell(i);
    cell.font = { ...BODY_FONT, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    cell.border = BORDER;
  }
  header.commit();

  // Table rows as exceljs would render them (row-xform, cell-xform), written straight into the
  // sheet's XML stream: exceljs builds a Row with Cell objects per row and renders each cell through
  // several layers, which cost a few microseconds a cell — seconds for an export's million cells.
  // Notes and bands (merged cells) still go through exceljs. The rows and cells are the same bytes
  // either way (test/export-stream.test.ts writes a sheet both ways and compares).
  const internals = ws as unknown as WriterInternals;
  const fast = FAST_ROWS.enabled && fastRowsPossible(ws) && internals.startedData;
  const styles = (wb as unknown as { styles: { addStyleModel(style: unknown, cellType?: number): number } }).styles;
  // A style is registered with the workbook on its first cell: the type matters for that cell only
  // (exceljs's own WeakMap does the same). The attributes are kept by row kind, column and centring.
  const register = (kind: RowKind, centred: boolean, numFmt: string | undefined, cellType: CellType): string => {
    const id = styles.addStyleModel(cellStyle(kind, centred, numFmt), cellType);
    const attr = id ? `" s="${id}"` : '"';
    known[cellStyleKey(kind, centred, numFmt)] = attr;
    return attr;
  };
  const styleAttrs: string[] = [];
  const styleAttrOf: StyleAttr = (kind, i, centred, v) => {
    const key = ((kind === 'data' ? 0 : kind === 'subtotal' ? 1 : 2) * n + i) * 2 + (centred ? 1 : 0);
    return (styleAttrs[key] ??= register(kind, centred, model.columns[i]?.numFmt, cellTypeOf(v)));
  };
  const render = rowRenderer(model.columns, widths, styleAttrOf);
  // Rows are encoded one at a time into a buffer handed to the sheet's stream when full: joining the
  // row strings first and encoding the result took four times as long (the joined text of rows
  // with Chinese in them is copied into one large two-byte string, then encoded).
  let chunk: Buffer | undefined;
  let used = 0;
  let chunkRows = 0;
  let r = HEADER_ROWS;

  const flush = () => {
    if (!chunk || !used) return;
    const out = internals.stream;
    const pipe = out.pipes?.length === 1 && typeof out._flush === 'function' ? out.pipes[0] : undefined;
    if (pipe?.write) {
      // (exceljs 4.4's StreamBuf._flush and its archiver pipe: internals, hence the exact pin in package.json.)
      // Straight to the stream exceljs pipes the sheet into (archiver's), after what exceljs holds:
      // StreamBuf would copy it into new zero-filled 64 KB buffers, a fifth of the zip's own time.
      out._flush!();
      pipe.write(chunk.subarray(0, used));
      // Kept by the pipe until compressed.
      chunk = undefined;
    } else out.write(chunk.subarray(0, used));
    // The rows written here are rows exceljs will not number again.
    internals._rowZero += chunkRows;
    used = 0;
    chunkRows = 0;
  };
  /** The buffer, with room for `bytes` more (a buffer the stream copies is used again). */
  const room = (bytes: number) => {
    if (chunk && used + bytes > chunk.length) flush();
    if (!chunk || bytes > chunk.length) chunk = Buffer.allocUnsafe(Math.max(ROW_CHUNK, bytes));
    return chunk;
  };
  const put = (xml: string) => {
    // A UTF-16 code unit takes at most three bytes in UTF-8.
    const into = room(xml.length * 3);
    used += into.write(xml, used);
    chunkRows++;
  };

  const add = (row: SheetRow) => {
    r++;
    if (fast && renderedKind(row.kind)) {
      put(render(row, r));
      return;
    }
    flush();
    const xr = ws.addRow(xmlSafeCells(row.cells));
    if (row.kind === 'note') {
      xr.font = BODY_FONT;
      if (n > 1) ws.mergeCells(r, 1, r, n);
      xr.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      xr.height = Math.max(1, Math.ceil(displayWidth(row.cells[0]) / Math.max(1, widths.reduce((a, b) => a + b, 0) - 2))) * LINE_PT + 6;
      xr.commit();
      return;
    }
    for (let i = 1; i <= n; i++) xr.getCell(i).style = cellStyle(row.kind, centredAt(model.columns, row, i - 1), model.columns[i - 1]?.numFmt);
    // The row's own (empty) style, shared for the same reason as the cells'.
    (xr as unknown as { style: Partial<ExcelJS.Style> }).style = NO_ROW_STYLE;
    if (row.kind === 'band' && n > 1) ws.mergeCells(r, 1, r, n);
    xr.height = heightOf(row, widths);
    xr.commit();
  };

  // exceljs writes into the zip without backpressure: a sheet made faster than it is compressed
  // would pile up in memory (hundreds of megabytes at 200,000 plans). So between pages the writer
  // waits while the compressor has more than BACKLOG bytes to do, or, before the zip has reached
  // this sheet, while that much is buffered.
  const drain = async () => {
    flush();
    const out = internals.stream;
    // Another exceljs than 4.4: give the zip a turn, no more.
    if (!Array.isArray(out.pipes) || !Array.isArray(out.buffers)) return new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      const pipes = out.pipes ?? [];
      if (pipes.length) {
        // An empty write hands the full 64 KB buffers to the compressor.
        out.write('');
        if (Math.max(0, ...pipes.map(waiting)) <= BACKLOG) return;
      } else if ((out.buffers?.length ?? 0) * 65_536 <= BACKLOG) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  const addRendered = async (rendered: RenderedRows) => {
    if (!fast) throw new Error('rows rendered elsewhere need the fast row path');
    flush();
    // Registered at their first token, which comes in the order of their first cells (tokenRenderer
    // numbers them so): as if the rows were added here.
    const attrs: Buffer[] = [];
    const attrOf = (token: number): Buffer | undefined => {
      while (attrs.length <= token && attrs.length < rendered.uses.length) {
        const u = rendered.uses[attrs.length];
        const attr = register(u.kind, u.centred, u.numFmt, u.cellType);
        // An empty cell of the default style is left out, which a token cannot do; table styles always have borders.
        if (attr === '"') throw new Error('a table cell style turned out to be the default style');
        attrs.push(Buffer.from(attr, 'latin1'));
      }
      return attrs[token];
    };
    const copyIn = (src: Buffer, from: number, to: number) => {
      while (from < to) {
        // Buffer.copy stops at the end of the buffer; room() starts a new one when this one is full.
        const n = src.copy(room(1), used, from, to);
        used += n;
        from += n;
      }
    };
    let carry: Buffer | undefined;
    for await (let block of rendered.blocks) {
      if (carry) block = Buffer.concat([carry, block]);
      // A token is two bytes: one cut off at the end of a block waits for the next (copied: the
      // block's buffer may be read into again).
      const end = block.length && block[block.length - 1] === STYLE_TOKEN ? block.length - 1 : block.length;
      carry = end < block.length ? Buffer.from(block.subarray(end)) : undefined;
      for (let at = 0; at < end; ) {
        const token = block.indexOf(STYLE_TOKEN, at);
        const stop = token < 0 || token >= end ? end : token;
        copyIn(block, at, stop);
        if (stop === end) break;
        const attr = attrOf(block[token + 1] - TOKEN_BASE);
        if (!attr) throw new Error('a rendered row names a style it did not report');
        // A few bytes: by hand, cheaper than a copy call.
        const into = room(attr.length);
        for (let k = 0; k < attr.length; k++) into[used++] = attr[k];
        at = token + 2;
      }
      await drain();
    }
    if (carry) throw new Error('rendered rows end inside a style token');
    const rows = rendered.rows;
    internals._rowZero += rows;
    r += rows;
    return rows;
  };

  return {
    add,
    drain,
    fast,
    addRendered,
    commit() {
      flush();
      ws.commit();
    },
  };
}
const NO_ROW_STYLE: Partial<ExcelJS.Style> = {};

/** Footer text may not hold "&", which starts a footer code. */
function footerText(s: string): string {
  return s.replace(/&/g, '&&');
}

/**
 * Streams sheets into an .xlsx file in memory (the compressed file only): `write` starts each sheet
 * with book.sheet() and adds its rows, page by page, committing each before the next.
 */
export async function streamWorkbook(created: Date, write: (book: WorkbookStream) => Promise<void>): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const wb = new (await loadExcelJs()).stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 3 } } });
  wb.creator = '赛务 Saiwu';
  wb.created = created;
  const names: string[] = [];
  const known: Record<string, string> = {};
  await write({
    sheet(layout, widths) {
      names.push(layout.name);
      return openSheet(wb, layout, widths, known);
    },
    knownStyles: () => ({ ...known }),
  });
  // The streaming writer has no API for print titles; the workbook it writes takes its defined names
  // from this model (exceljs 4.4 WorkbookWriter.addWorkbook), so the header row of each sheet is
  // declared there to repeat on every printed page (an internal: exceljs is pinned exactly for it).
  (wb as unknown as { _definedNames: { model: unknown } })._definedNames = {
    model: names.map((name, i) => ({ name: '_xlnm.Print_Titles', localSheetId: i, ranges: [`'${name.replace(/'/g, "''")}'!$${HEADER_ROWS}:$${HEADER_ROWS}`] })),
  };
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

/** Writes one whole sheet described as a model. */
export async function writeModel(book: WorkbookStream, model: SheetModel): Promise<void> {
  const sheet = book.sheet(model, widthsOf(model));
  for (let i = 0; i < model.rows.length; i++) {
    sheet.add(model.rows[i]);
    if (i % 2000 === 1999) await sheet.drain();
  }
  sheet.commit();
}

/** Streams the sheets, each described as a model, into an .xlsx file in memory. */
export async function writeWorkbook(models: SheetModel[], created: Date): Promise<Buffer> {
  return streamWorkbook(created, async (book) => {
    for (const model of models) await writeModel(book, model);
  });
}
