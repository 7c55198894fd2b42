// Reading a spreadsheet a person filled in (.xlsx, or .csv saved by Excel): every row as strings with
// its row number in the file, merged banners marked, and the words that start a row that is no data.
// Shared by the roster import and the filing import. A big file is read in a worker thread
// (read-table-worker.ts): exceljs holds the thread for seconds on 100,000 rows, and every other chat
// would wait that long for an answer.
import type ExcelJS from 'exceljs';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadExcelJs } from './exceljs.js';
import { startWorker } from './worker-thread.js';
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

export type ReadTables = { sheets: Table[] } | { error: string };

/**
 * For a loop over many rows in the main thread: call the returned function once per row and await
 * it; every `sliceMs` of work it gives the event loop a turn (setImmediate), so other chats are
 * answered while a long import runs. In between it returns nothing and costs next to nothing.
 */
export function breather(sliceMs = 15): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return undefined;
    return nextTurn().then(() => {
      since = performance.now();
    });
  };
}

/** Files from this size on are read in a worker thread; a small one is quicker read in place. */
const WORKER_FROM_BYTES = 256 * 1024;
/**
 * Rows per message from the worker. Copying a message in holds the main thread, and a port hands
 * over every message waiting in one go: so the worker sends a slice only when asked for the next.
 */
export const ROWS_PER_MESSAGE = 1000;

/**
 * The file's tables, read once per message: /导入 asks in turn whether a file is a filing, a
 * key-project list or a roster, and each would parse the same bytes again. Callers only read the
 * tables, never change them.
 */
const readOnce = new WeakMap<Buffer, { fileName: string; read: Promise<ReadTables> }>();

/** Every visible sheet of the file, each row (1-based row numbers) as strings. */
export function readTables(fileName: string, data: Buffer): Promise<ReadTables> {
  const known = readOnce.get(data);
  if (known?.fileName === fileName) return known.read;
  const read = data.length >= WORKER_FROM_BYTES ? readInWorker(fileName, data) : readTablesHere(fileName, data);
  readOnce.set(data, { fileName, read });
  read.catch(() => readOnce.delete(data));
  return read;
}

/**
 * What the worker sends: the sheets' rows in slices, each after a 'more' from the main thread, then
 * done (or why the file cannot be read).
 */
export type WorkerMessage = { kind: 'rows'; sheet: number; name: string; rows: TableRow[] } | { kind: 'done' } | { kind: 'error'; error: string };

function readInWorker(fileName: string, data: Buffer): Promise<ReadTables> {
  return new Promise<ReadTables>((resolve, reject) => {
    const sheets: Table[] = [];
    let settled = false;
    const worker = startWorker('read-table-worker', { fileName, data });
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'error') finish({ error: m.error });
      else if (m.kind === 'done') finish({ sheets });
      else {
        const into = (sheets[m.sheet] ??= { name: m.name, rows: [] }).rows;
        for (const r of m.rows) into.push(r);
        // The next slice after other chats have had a turn.
        setImmediate(() => worker.postMessage('more'));
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      // Out of memory in the worker: the same file read here would take the whole bot down.
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve({ error: `文件“${fileName}”太大，读不下。请把表格分成几份分别发送。` });
      // A worker that could not start (or broke): read it here, slower but still read.
      else readTablesHere(fileName, data).then(resolve, reject);
    });
    worker.on('exit', () => {
      if (settled) return;
      settled = true;
      readTablesHere(fileName, data).then(resolve, reject);
    });
    function finish(result: ReadTables) {
      if (settled) return;
      settled = true;
      resolve(result);
      void worker.terminate();
    }
  });
}

/** readTables in the calling thread (the worker runs this). */
export async function readTablesHere(fileName: string, data: Buffer): Promise<ReadTables> {
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

