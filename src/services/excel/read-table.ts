// Reading a spreadsheet a person filled in (.xlsx, or .csv saved by Excel): every row as strings with
// its row number in the file, merged banners marked, and the words that start a row that is no data.
// Shared by the roster import and the filing import.
import type ExcelJS from 'exceljs';
import { loadExcelJs } from './exceljs.js';
import { stripInvisible } from '../../forms/coerce.js';

/** A header or cell with its spaces (and invisible characters) taken out. */
export const squeeze = (s: string) => stripInvisible(s).replace(/\s+/g, '');

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: string; result?: unknown };
    if (v.richText) return v.richText.map((t) => t.text).join('').trim();
    if (v.text !== undefined) return String(v.text).trim();
    if (v.result !== undefined) return cellText(v.result);
    return '';
  }
  return String(value).trim();
}

/** Splits CSV text (quotes, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    // Only an ASCII comma or a tab separates: Excel leaves a cell with a full-width ，unquoted.
    else if (ch === ',' || ch === '\t') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.map((r) => r.map((c) => c.trim()));
}

/** CSV saved by Excel on a Chinese Windows PC is GB18030, not UTF-8. */
function decodeCsv(data: Buffer): string {
  const utf8 = new TextDecoder('utf-8').decode(data).replace(/^\uFEFF/, '');
  if (!utf8.includes('\uFFFD')) return utf8;
  try {
    return new TextDecoder('gb18030').decode(data);
  } catch {
    return utf8;
  }
}

export interface TableRow {
  row: number;
  cells: string[];
  /** Every cell of the row is one merged region (a banner such as "合计" spanning the table). */
  banner?: boolean;
  /** Hidden (or filtered out) in the spreadsheet. */
  hidden?: boolean;
  /** Which cells only repeat a merged cell above or to the left (企业名称 merged over several rows). */
  continued?: boolean[];
}

export interface Table {
  name: string;
  rows: TableRow[];
}

/** Every visible sheet of the file, each row (1-based row numbers) as strings. */
export async function readTables(fileName: string, data: Buffer): Promise<{ sheets: Table[] } | { error: string }> {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) {
    return { sheets: [{ name: fileName, rows: parseCsv(decodeCsv(data)).map((cells, i) => ({ row: i + 1, cells })) }] };
  }
  if (lower.endsWith('.xls')) return { error: '不支持旧版 .xls 文件，请在 Excel 或 WPS 里“另存为” .xlsx 或 .csv 后再发送。' };
  if (lower.endsWith('.et')) return { error: '不支持 WPS 的 .et 文件，请在 WPS 里“另存为” .xlsx 后再发送。' };
  if (!lower.endsWith('.xlsx')) return { error: `无法识别文件“${fileName}”，请发送 .xlsx 或 .csv 表格（Word 里的表格请复制到 Excel 后另存为 .xlsx）。` };
  const wb = new (await loadExcelJs()).Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    return { error: `文件“${fileName}”打不开，可能已损坏。请用 Excel 重新保存为 .xlsx 后再发送。` };
  }
  const sheets = wb.worksheets.filter((ws) => ws.state === 'visible' || ws.state === undefined);
  if (!sheets.length) return { error: '表格里没有工作表。' };
  return { sheets: sheets.map((ws) => ({ name: ws.name, rows: sheetRows(ws) })) };
}

function sheetRows(ws: ExcelJS.Worksheet): TableRow[] {
  const rows: TableRow[] = [];
  const width = Math.max(2, ws.actualColumnCount);
  ws.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    const cells: string[] = [];
    const continued: boolean[] = [];
    r.eachCell({ includeEmpty: true }, (c, col) => {
      cells[col - 1] = cellText(c.value);
      continued[col - 1] = c.isMerged && c.master !== undefined && c.master.address !== c.address;
    });
    // A merged cell repeats its master's value in every cell of the region: a row whose cells are
    // all one region is a banner, not a unit.
    const first = r.getCell(1);
    const masters = new Set(Array.from({ length: width }, (_, i) => r.getCell(i + 1).master?.address ?? `x${i}`));
    const banner = first.isMerged && masters.size === 1;
    rows.push({
      row: rowNumber, cells: Array.from(cells, (c) => c ?? ''), continued: Array.from(continued, (c) => c ?? false),
      ...(banner ? { banner } : {}), ...(r.hidden ? { hidden: true } : {}),
    });
  });
  return rows;
}

/** The first sheet's rows (the roster import reads one sheet). */
export async function readTable(fileName: string, data: Buffer): Promise<{ rows: TableRow[] } | { error: string }> {
  const read = await readTables(fileName, data);
  return 'error' in read ? read : { rows: read.sheets[0].rows };
}

/** Totals, notes and the sign-off lines under a table (compared without spaces: "合  计"): no data. */
export const NOT_DATA = /^(合计|小计|总计|共计|备注|说明|注[:：]|填表说明|填报说明|填表人|填报人|制表人|制表[:：]|审核人|审批人|负责人[:：]|单位负责人|联系人[:：]|联系电话[:：]|电话[:：]|填表日期|填报日期|报送时间|报送日期|日期[:：]|单位[(（]?盖章|盖章|工会主席|[(（]此表|附[:：件]|total|subtotal|sum\b)/i;

