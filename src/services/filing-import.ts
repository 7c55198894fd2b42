// A filled 计划表 (附件一) or 汇总表 (附件二) sent as a file: the unit's rows are read by their headers
// (the official ones, the form's labels or aliases), then filed for the sender's unit with the same
// rules as the forms, all rows in one transaction or none (submitFilingBatch). Rows are named by their
// row number in the file, so the cadre fixes the sheet and sends it again; the same sheet sent twice
// revises (same 竞赛项目 = same plan) instead of duplicating.
import type { App } from '../core/app.js';
import type { IncomingMessage, Reply } from '../core/messages.js';
import { text } from '../core/messages.js';
import { FORMS } from '../forms/index.js';
import { COMPETITION_TYPES } from '../forms/plan.js';
import { toHalfWidth } from '../forms/coerce.js';
import type { FormDef, FormName } from '../forms/types.js';
import type { RawValues } from '../forms/validate.js';
import { NOT_DATA, readTable, squeeze } from './excel/read-table.js';
import { submitFilingBatch, type BatchRow } from './filings.js';
import { getMember } from './members.js';

/** The two sheets a unit fills; 进度 and 年报 have none. */
type SheetForm = Extract<FormName, 'plan' | 'summary'>;

/** Column headers besides the form's own labels: what the official tables and our exports call them. */
const EXTRA_HEADERS: Record<SheetForm, Record<string, string>> = {
  plan: {},
  summary: { 竞赛项目: 'plan', 计划编号: 'plan', 参与人数规模: 'actualParticipants', 参与人数: 'actualParticipants', 实际参与人数: 'actualParticipants' },
};
/** Headers read but not filed: the unit column is checked against the sender's unit. */
const UNIT_HEADERS = ['所属单位', '单位', '单位名称', '填报单位'];

const norm = (s: string) => toHalfWidth(squeeze(s)).replace(/[*＊]/g, '').replace(/[(（](必填|选填|元|人)[)）]$/, '').replace(/[()（）【】\[\]]/g, '');

function headerIndex(form: FormDef, kind: SheetForm): Map<string, { key: string; prefix?: boolean }> {
  const index = new Map<string, { key: string; prefix?: boolean }>();
  for (const f of form.fields) {
    for (const label of [f.label, ...(f.aliases ?? []), ...(f.column ? [f.column.header] : [])]) index.set(norm(label), { key: f.key });
    for (const label of f.prefixLabels ?? []) index.set(norm(label), { key: f.key, prefix: true });
  }
  for (const [label, key] of Object.entries(EXTRA_HEADERS[kind])) index.set(norm(label), { key });
  return index;
}

/** Which sheet this is: a 汇总表 has 经费支出 or 获奖情况; a 计划表 has 竞赛项目 and the plan's columns. */
function recognise(cells: string[]): SheetForm | null {
  const h = new Set(cells.map(norm));
  if (!h.has('竞赛项目') && !h.has('计划编号')) return null;
  if (h.has('经费支出') || h.has('获奖情况')) return 'summary';
  const planHeaders = ['企业名称', '组织方式', '参与人数规模', '参与人数', '时间安排'].filter((x) => h.has(x)).length;
  return planHeaders >= 2 ? 'plan' : null;
}

export interface ReadFilingSheet {
  form: SheetForm;
  rows: BatchRow[];
  /** Unfilled rows (a blank template's spare rows, a listed plan without its summary yet). */
  skipped: number;
  notes: string[];
}

/** The sheet's rows as raw form values, or why it cannot be read as a 计划表 or 汇总表. */
export async function readFilingSheet(fileName: string, data: Buffer, unitName: string): Promise<ReadFilingSheet | { error: string } | null> {
  const table = await readTable(fileName, data);
  if ('error' in table) return table;
  const headerAt = table.rows.slice(0, 10).findIndex((r) => recognise(r.cells) !== null);
  if (headerAt < 0) return null;
  const kind = recognise(table.rows[headerAt].cells)!;
  const form = FORMS[kind];
  const index = headerIndex(form, kind);
  const header = table.rows[headerAt].cells.map(norm);
  const columns = header.map((h) => index.get(h));
  const unitColumn = header.findIndex((h) => UNIT_HEADERS.map(norm).includes(h));
  const present = new Set(columns.filter(Boolean).map((c) => c!.key));
  // For a summary row, the plan is named by its 计划编号 if the sheet has one, else by 竞赛项目.
  const planColumns = columns.map((c, i) => (c?.key === 'plan' ? i : -1)).filter((i) => i >= 0);
  const byNumber = planColumns.find((i) => header[i] === '计划编号');

  const rows: BatchRow[] = [];
  const notes: string[] = [];
  let skipped = 0;
  for (const r of table.rows.slice(headerAt + 1)) {
    const first = squeeze(r.cells.find((c) => c.trim()) ?? '');
    if (!first || r.banner) continue;
    // The 合计 row ends the table; notes and sign-off lines below it are no data.
    if (NOT_DATA.test(first)) continue;
    const raw: RawValues = {};
    const prefixes: RawValues = {};
    columns.forEach((c, i) => {
      const v = (r.cells[i] ?? '').trim();
      if (!c || !v) return;
      if (c.key === 'plan' && byNumber !== undefined && i !== byNumber) return;
      if (c.prefix) prefixes[c.key] = v;
      else raw[c.key] = v;
    });
    for (const [key, p] of Object.entries(prefixes)) raw[key] = raw[key] ? (raw[key]!.startsWith(p!) ? raw[key] : `${p} ${raw[key]}`) : p;
    // A blank template's spare rows are skipped, and so is a 汇总表 row listing a plan whose summary is
    // not written yet (no money, no awards; our export shows the planned 参与人数 and 未报总结 there).
    if (!Object.keys(raw).length) continue;
    if (kind === 'summary' && !raw.expenditure && !raw.awards && (!raw.actualParticipants || r.cells.some((c) => c.includes('未报总结')))) {
      skipped++;
      continue;
    }
    const unit = unitColumn >= 0 ? squeeze(r.cells[unitColumn] ?? '') : '';
    rows.push({ row: r.row, raw, ...(unit && unit !== squeeze(unitName) ? { otherUnit: unit } : {}) });
  }
  if (kind === 'plan') {
    // The official 计划表 has no 竞赛类型 or 重点项目 column; the form needs both.
    if (!present.has('type')) {
      for (const row of rows) row.raw.type = typeFromName(`${row.raw.project ?? ''}${row.raw.organizer ?? ''}`);
      notes.push('表中没有“竞赛类型”列：按竞赛项目名称识别（如名称含“安康杯”记为安康杯），识别不出的记为“其他”。');
    }
    if (!present.has('keyProject')) {
      for (const row of rows) row.raw.keyProject = '否';
      notes.push('表中没有“重点项目”列：均记为“否”。如有重点项目，请在表中加一列“重点项目”填“是”或“否”，再发送一次（同一竞赛项目会作为修改保存）。');
    }
  }
  return { form: kind, rows, skipped, notes };
}

/** The competition type a plan's name mentions ("地铁3号线五比一创劳动竞赛" → 五比一创), or 其他. */
function typeFromName(name: string): string {
  const s = squeeze(name);
  const hit = COMPETITION_TYPES.filter((t) => t.value !== 'other')
    .flatMap((t) => [t.label, ...(t.aliases ?? [])].map((word) => ({ word: squeeze(word).replace(/["“”]/g, ''), label: t.label })))
    .filter((x) => x.word.length >= 2 && s.includes(x.word))
    .sort((a, b) => b.word.length - a.word.length)[0];
  return hit?.label ?? '其他';
}

const isSpreadsheet = (name: string) => /\.(xlsx|xls|csv)$/i.test(name);

/**
 * A file sent to the bot: a filled 计划表 or 汇总表 is filed for the sender's unit. Returns null when the
 * file is no such sheet (the caller says what the bot can read).
 */
export async function importFilingFile(app: App, msg: IncomingMessage): Promise<Reply[] | null> {
  const file = msg.attachment;
  if (!file || !isSpreadsheet(file.fileName)) return null;
  const member = await getMember(app.db, msg.platform, msg.userId);
  const read = await readFilingSheet(file.fileName, file.data, member?.unit?.name ?? '');
  if (read === null) return null;
  if ('error' in read) return [text(read.error)];
  if (!read.rows.length) {
    const what = FORMS[read.form].title;
    return [text(`「${file.fileName}」里没有填写任何${what}（表头以下都是空行${read.skipped ? `或未填的计划` : ''}）。请填好后再发送。`)];
  }
  return submitFilingBatch(app, { ...msg, form: read.form }, read.rows, { fileName: file.fileName, notes: read.notes, skipped: read.skipped });
}

/** What to do with a spreadsheet the bot could not read as a filing. */
export function notAFilingSheet(fileName: string): string {
  return `「${fileName}」不是计划表或汇总表（没有找到“竞赛项目”等表头）。可以发送填好的计划表或汇总表，空白表请发送“/模板 计划 表格”或“/模板 总结 表格”下载。`;
}
