// The common layout of every sheet we export, after the official attachments: a merged title row, a
// "单位：" row, then the header row, frozen so it stays visible while scrolling. Sheets are described
// as plain models first and then streamed out by exceljs's streaming writer, which is several times
// faster than building the whole workbook in memory (tens of thousands of rows in an export).
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FieldDef } from '../../forms/types.js';

export interface ColumnSpec {
  header: string;
  /** Minimum width in Excel character units (from the form's `column` entry). */
  width: number;
  /** Excel number format for numeric columns. */
  numFmt?: string;
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
  dateLine: string;
  columns: ColumnSpec[];
  rows: SheetRow[];
}

export interface SheetHeading {
  title: string;
  unitLine: string;
  dateLine: string;
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
const THIN = { style: 'thin' as const, color: { argb: 'FF999999' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const FILLS: Partial<Record<RowKind, string>> = { band: 'FFF3F4F6', subtotal: 'FFFAFAFA', total: 'FFFFF4E5' };

/** Column widths that fit the longest data cell (capped), never below the form's width. */
function widthsOf(model: SheetModel): number[] {
  const widths = model.columns.map((c) => Math.max(c.width, displayWidth(c.header) + 2));
  for (const row of model.rows) {
    if (row.kind !== 'data') continue;
    for (let i = 0; i < widths.length; i++) {
      const w = displayWidth(row.cells[i]) + 2;
      if (w > widths[i]) widths[i] = w;
    }
  }
  return widths.map((w) => Math.min(MAX_WIDTH, Math.round(w)));
}

function writeSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, model: SheetModel): void {
  const ws = wb.addWorksheet(model.name, {
    views: [{ state: 'frozen', ySplit: HEADER_ROWS, xSplit: 0 }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });
  const n = model.columns.length;
  const widths = widthsOf(model);
  ws.columns = model.columns.map((c, i) => ({ width: widths[i], ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}) }));

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
  if (n > 1) {
    unitRow.getCell(split + 1).alignment = { horizontal: 'right' };
    if (split > 1) ws.mergeCells(2, 1, 2, split);
    if (split + 1 < n) ws.mergeCells(2, split + 1, 2, n);
  }
  unitRow.commit();

  const header = ws.addRow(model.columns.map((c) => c.header));
  header.height = 22;
  for (let i = 1; i <= n; i++) {
    const cell = header.getCell(i);
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    cell.border = BORDER;
  }
  header.commit();

  let r = HEADER_ROWS;
  for (const row of model.rows) {
    r++;
    const xr = ws.addRow(row.cells);
    if (row.kind !== 'data') {
      xr.font = { bold: row.kind !== 'note' };
      const fill = FILLS[row.kind];
      if (fill) for (let i = 1; i <= n; i++) xr.getCell(i).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
      if (row.kind === 'band' || row.kind === 'note') {
        if (n > 1) ws.mergeCells(r, 1, r, n);
        if (row.kind === 'note') {
          xr.getCell(1).alignment = { wrapText: true, vertical: 'top' };
          xr.height = 36;
        }
      }
    }
    xr.commit();
  }
  ws.commit();
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
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 3 } } });
  wb.creator = '赛务 Saiwu';
  wb.created = created;
  for (const model of models) writeSheet(wb, model);
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
