// The common layout of every sheet we export, after the official attachments: a merged title row, a
// "单位：" row (with the 上报 deadline or export date on the right), then the header row — frozen while
// scrolling and repeated on every printed page. Everything prints on A4 landscape in 宋体 at 五号
// (10.5 pt) with thin borders on every cell of the table: column widths are fitted to a budget that
// A4 landscape holds at full size, and long text wraps with the row growing to fit, so the page is
// never shrunk below a readable size. Sheets are described as plain models first and then streamed
// out by exceljs's streaming writer, several times faster than building the workbook in memory
// (tens of thousands of rows in an export).
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

/** Width of text in Excel character units: a CJK character is about two. */
export function displayWidth(value: unknown): number {
  const s = value === null || value === undefined ? '' : typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
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
 * give way, down to 70 % of their width (their text wraps instead).
 */
export function widthsOf(model: Pick<SheetModel, 'columns' | 'rows'>): number[] {
  const widths = model.columns.map((c) => Math.max(c.width, Math.min(displayWidth(c.header) + 2, c.width + 4)));
  for (const row of model.rows) {
    if (row.kind !== 'data' && row.kind !== 'subtotal' && row.kind !== 'total') continue;
    for (let i = 0; i < widths.length; i++) {
      const w = displayWidth(row.cells[i]) + 2;
      if (w > widths[i]) widths[i] = w;
    }
  }
  const out = widths.map((w) => Math.min(MAX_WIDTH, Math.round(w)));
  const floor = model.columns.map((c, i) => (c.fixed ? out[i] : Math.max(8, Math.min(out[i], Math.round(c.width * 0.7)))));
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

/**
 * Lines a row needs when its cells wrap at the given widths. A CJK character in 宋体 五号 takes about
 * 1.8 width units when drawn (displayWidth's 2.1 leaves room when sizing columns).
 */
function linesOf(cells: Cell[], widths: number[]): number {
  let lines = 1;
  for (let i = 0; i < widths.length; i++) {
    const v = cells[i];
    const s = v === null || v === undefined ? '' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
    let w = 0;
    for (let k = 0; k < s.length; k++) w += s.charCodeAt(k) > 0x2e80 ? 1.8 : 1;
    if (w > widths[i] - 1) lines = Math.max(lines, Math.ceil(w / Math.max(1, widths[i] - 1)));
  }
  return lines;
}

function writeSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, model: SheetModel): void {
  const ws = wb.addWorksheet(model.name, {
    views: [{ state: 'frozen', ySplit: HEADER_ROWS, xSplit: 0 }],
    pageSetup: {
      orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: `&L${footerText(model.footer ?? '')}&C第 &P 页，共 &N 页` },
  });
  const n = model.columns.length;
  const widths = widthsOf(model);
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

  let r = HEADER_ROWS;
  for (const row of model.rows) {
    r++;
    const xr = ws.addRow(row.cells);
    if (row.kind === 'note') {
      xr.font = BODY_FONT;
      if (n > 1) ws.mergeCells(r, 1, r, n);
      xr.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      xr.height = Math.max(1, Math.ceil(displayWidth(row.cells[0]) / Math.max(1, widths.reduce((a, b) => a + b, 0) - 2))) * LINE_PT + 6;
      xr.commit();
      continue;
    }
    const fill = FILLS[row.kind];
    const bold = row.kind !== 'data';
    for (let i = 1; i <= n; i++) {
      const cell = xr.getCell(i);
      cell.font = bold ? { ...BODY_FONT, bold: true } : BODY_FONT;
      cell.border = BORDER;
      // Numbers centred: right-aligned, they print flush against the next column's text. Short marks in
      // a column of short values (是/否, —, 已开展) too, so they line up with the numbers beside them.
      const v = row.cells[i - 1];
      const centred = typeof v === 'number' || (row.kind === 'data' && model.columns[i - 1]?.fixed && typeof v === 'string' && [...v].length <= 4);
      cell.alignment = { wrapText: true, vertical: 'middle', ...(centred ? { horizontal: 'center' } : {}) };
      if (fill) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
      const fmt = model.columns[i - 1]?.numFmt;
      if (fmt) cell.numFmt = fmt;
    }
    if (row.kind === 'band' && n > 1) ws.mergeCells(r, 1, r, n);
    // Rows grow with wrapped text (Excel does not size them on open; LibreOffice would).
    const lines = row.kind === 'band' ? 1 : linesOf(row.cells, widths);
    xr.height = Math.min(MAX_ROW_PT, lines * LINE_PT + 6);
    xr.commit();
  }
  ws.commit();
}

/** Footer text may not hold "&", which starts a footer code. */
function footerText(s: string): string {
  return s.replace(/&/g, '&&');
}

/** Streams the sheets into an .xlsx file in memory. */
export async function writeWorkbook(models: SheetModel[], created: Date): Promise<Buffer> {
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
  for (const model of models) writeSheet(wb, model);
  // The streaming writer has no API for print titles; the workbook it writes takes its defined names
  // from this model (exceljs 4.4 WorkbookWriter.addWorkbook), so the header row of each sheet is
  // declared there to repeat on every printed page.
  (wb as unknown as { _definedNames: { model: unknown } })._definedNames = {
    model: models.map((m, i) => ({ name: '_xlnm.Print_Titles', localSheetId: i, ranges: [`'${m.name.replace(/'/g, "''")}'!$${HEADER_ROWS}:$${HEADER_ROWS}`] })),
  };
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
