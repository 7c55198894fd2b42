// /import 导入: the unit roster from an Excel or CSV file. Every row is checked first; if any row is
// wrong nothing is written and each bad row is named by its row number in the file, so the admin
// fixes the file and sends it again. A good file is written in one transaction.
import ExcelJS from 'exceljs';
import type { Db, Tx } from '../db/client.js';

export const ROSTER_COLUMNS = [
  { key: 'name', header: '单位名称', aliases: ['单位', '名称', '工会名称', '单位名'], width: 30, note: '必填，全称，如“东城街道工会”' },
  { key: 'parent', header: '上级单位', aliases: ['上级', '上级工会', '上级单位名称'], width: 30, note: '选填；须是已有单位或本表中的单位' },
  { key: 'headcount', header: '职工数', aliases: ['职工人数', '人数', '职工总数'], width: 12, note: '选填，整数' },
  { key: 'code', header: '单位代码', aliases: ['代码', '编码', '统一社会信用代码'], width: 24, note: '选填' },
] as const;
type RosterKey = (typeof ROSTER_COLUMNS)[number]['key'];

export interface RosterRow {
  /** The row number as the admin sees it in Excel (header = 1). */
  row: number;
  name: string;
  parent: string;
  headcount: string;
  code: string;
}

export interface RowError {
  row: number;
  message: string;
}

export type ImportResult =
  | { ok: true; created: string[]; updated: string[] }
  | { ok: false; errors: RowError[]; message?: string };

/** The template admins download: the header row and a sheet of instructions. */
export async function rosterTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位名单', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = ROSTER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.getColumn('code').numFmt = '@';
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列', width: 14 }, { header: '说明', width: 60 }];
  help.addRows(ROSTER_COLUMNS.map((c) => [c.header, c.note]));
  help.addRow([]);
  help.addRow(['提示', '从第2行起每行一个单位；上级单位写在下级之前或之后都可以。有任何一行出错时整份名单都不会导入，请按提示改正后重新发送。']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function cellText(value: unknown): string {
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
    else if (ch === ',' || ch === '，' || ch === '\t') {
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

/** The file's rows (1-based row numbers) as strings. */
async function readTable(fileName: string, data: Buffer): Promise<{ rows: { row: number; cells: string[] }[] } | { error: string }> {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) {
    return { rows: parseCsv(decodeCsv(data)).map((cells, i) => ({ row: i + 1, cells })) };
  }
  if (lower.endsWith('.xls')) return { error: '不支持旧版 .xls 文件，请在 Excel 里“另存为” .xlsx 或 .csv 后再发送。' };
  if (!lower.endsWith('.xlsx')) return { error: `无法识别文件“${fileName}”，请发送 .xlsx 或 .csv 文件。` };
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    return { error: `文件“${fileName}”打不开，可能已损坏。请用 Excel 重新保存为 .xlsx 后再发送。` };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { error: '表格里没有工作表。' };
  const rows: { row: number; cells: string[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    const cells: string[] = [];
    r.eachCell({ includeEmpty: true }, (c, col) => (cells[col - 1] = cellText(c.value)));
    rows.push({ row: rowNumber, cells: Array.from(cells, (c) => c ?? '') });
  });
  return { rows };
}

/** Reads the roster rows; the header row may be anywhere in the first five rows. */
export async function readRoster(fileName: string, data: Buffer): Promise<{ rows: RosterRow[] } | { error: string }> {
  const table = await readTable(fileName, data);
  if ('error' in table) return table;
  const headerAt = table.rows.slice(0, 5).findIndex((r) => r.cells.some((c) => ROSTER_COLUMNS[0].header === c || (ROSTER_COLUMNS[0].aliases as readonly string[]).includes(c)));
  if (headerAt < 0) return { error: `没有找到表头。第一行应为：${ROSTER_COLUMNS.map((c) => c.header).join('、')}。发送 /import 可下载模板。` };
  const header = table.rows[headerAt].cells;
  const index = {} as Record<RosterKey, number>;
  for (const col of ROSTER_COLUMNS) index[col.key] = header.findIndex((h) => h === col.header || (col.aliases as readonly string[]).includes(h));
  const rows: RosterRow[] = [];
  for (const r of table.rows.slice(headerAt + 1)) {
    const get = (k: RosterKey) => (index[k] >= 0 ? (r.cells[index[k]] ?? '').trim() : '');
    const row = { row: r.row, name: get('name'), parent: get('parent'), headcount: get('headcount'), code: get('code') };
    if (!row.name && !row.parent && !row.headcount && !row.code) continue;
    rows.push(row);
  }
  return { rows };
}

interface PlannedUnit {
  row: RosterRow;
  headcount: number | null;
  existingId?: number;
  level?: number;
}

/** Checks every row against the file and the database; writes nothing. */
async function check(db: Db, rows: RosterRow[]): Promise<{ errors: RowError[]; planned: PlannedUnit[] }> {
  const errors: RowError[] = [];
  const existing = new Map((await db.unit.findMany({ select: { id: true, name: true, level: true, parentId: true } })).map((u) => [u.name, u]));
  const idToName = new Map([...existing.values()].map((u) => [u.id, u.name]));
  const byName = new Map<string, PlannedUnit>();
  const planned: PlannedUnit[] = [];
  for (const row of rows) {
    const problems: string[] = [];
    if (!row.name) problems.push('“单位名称”不能为空');
    else if ([...row.name].length > 60) problems.push('“单位名称”太长，请控制在60字以内');
    else if (byName.has(row.name)) problems.push(`单位“${row.name}”与第${byName.get(row.name)!.row.row}行重复`);
    let headcount: number | null = null;
    if (row.headcount) {
      const n = Number(row.headcount.replace(/[,，\s人]/g, ''));
      if (!Number.isInteger(n) || n < 0 || n > 10_000_000) problems.push(`“职工数”应为整数，现在是“${row.headcount}”`);
      else headcount = n;
    }
    if (row.parent && row.parent === row.name) problems.push('“上级单位”不能是它自己');
    if ([...row.code].length > 40) problems.push('“单位代码”太长');
    const old = existing.get(row.name);
    if (old && row.parent) {
      const oldParent = old.parentId === null ? '' : idToName.get(old.parentId) ?? '';
      if (oldParent !== row.parent) problems.push(`单位“${row.name}”已存在，上级是“${oldParent || '无'}”，与表中的“${row.parent}”不一致；如需调整上级请联系管理员`);
    }
    const p: PlannedUnit = { row, headcount, ...(old ? { existingId: old.id, level: old.level } : {}) };
    if (problems.length) errors.push({ row: row.row, message: problems.join('；') });
    if (row.name && !byName.has(row.name)) byName.set(row.name, p);
    planned.push(p);
  }
  // Levels of new units: follow parents through the file and the database; catch loops and depth.
  const levelOf = (p: PlannedUnit, seen: Set<PlannedUnit>): number | string => {
    if (p.level !== undefined) return p.level;
    if (!p.row.parent) return (p.level = 1);
    if (seen.has(p)) return '上级关系形成了循环';
    seen.add(p);
    const inDb = existing.get(p.row.parent);
    const parentLevel = inDb ? inDb.level : byName.has(p.row.parent) ? levelOf(byName.get(p.row.parent)!, seen) : `上级单位“${p.row.parent}”不存在（既不在系统中，也不在本表中），请检查名称是否完全一致`;
    if (typeof parentLevel === 'string') return parentLevel;
    if (parentLevel >= 3) return `“${p.row.parent}”是企业工会，不能再设下级单位`;
    return (p.level = parentLevel + 1);
  };
  for (const p of planned) {
    if (p.existingId !== undefined || errors.some((e) => e.row === p.row.row)) continue;
    const level = levelOf(p, new Set());
    if (typeof level === 'string') errors.push({ row: p.row.row, message: level });
  }
  errors.sort((a, b) => a.row - b.row);
  return { errors, planned };
}

export async function importRoster(db: Db, fileName: string, data: Buffer): Promise<ImportResult> {
  const read = await readRoster(fileName, data);
  if ('error' in read) return { ok: false, errors: [], message: read.error };
  if (!read.rows.length) return { ok: false, errors: [], message: '表格里没有单位。请从第2行起每行填写一个单位。' };
  const { errors, planned } = await check(db, read.rows);
  if (errors.length) return { ok: false, errors };
  const created: string[] = [];
  const updated: string[] = [];
  await db.$transaction(async (t) => {
    const tx = t as unknown as Tx;
    const ids = new Map<string, number>();
    // Parents before children: lower levels first.
    for (const p of [...planned].sort((a, b) => (a.level ?? 0) - (b.level ?? 0))) {
      if (p.existingId !== undefined) {
        const data: { headcount?: number; code?: string } = {};
        if (p.headcount !== null) data.headcount = p.headcount;
        if (p.row.code) data.code = p.row.code;
        if (Object.keys(data).length) {
          await tx.unit.update({ where: { id: p.existingId }, data });
          updated.push(p.row.name);
        }
        ids.set(p.row.name, p.existingId);
        continue;
      }
      const parentId = p.row.parent ? ids.get(p.row.parent) ?? (await tx.unit.findUnique({ where: { name: p.row.parent }, select: { id: true } }))?.id ?? null : null;
      const unit = await tx.unit.create({ data: { name: p.row.name, level: p.level ?? 1, parentId, headcount: p.headcount, code: p.row.code || null } });
      ids.set(unit.name, unit.id);
      created.push(unit.name);
    }
  });
  return { ok: true, created, updated };
}
