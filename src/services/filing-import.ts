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
import { withPrefix } from '../forms/text-template.js';
import { breather, NOT_DATA, readTables, squeeze, type Table } from './excel/read-table.js';
import { submitFilingBatch, type BatchRow } from './filings.js';
import { getMember } from './members.js';

/** The two sheets a unit fills; 进度 and 年报 have none. */
type SheetForm = Extract<FormName, 'plan' | 'summary'>;
/** Separate 开始时间 / 结束时间 columns, joined into 时间安排. */
const PERIOD_START = 'periodStart';
const PERIOD_END = 'periodEnd';

/** Column headers besides the form's own labels: what the official tables, our exports and units call them. */
const EXTRA_HEADERS: Record<SheetForm, Record<string, string>> = {
  plan: {
    竞赛名称: 'project', 竞赛项目名称: 'project', 项目名称: 'project', 组织形式: 'organizer', 参赛规模: 'participants', 规模: 'participants',
    企业单位名称: 'enterpriseName', 企业名称全称: 'enterpriseName',
    开始时间: PERIOD_START, 开始日期: PERIOD_START, 起始时间: PERIOD_START, 起始日期: PERIOD_START,
    结束时间: PERIOD_END, 结束日期: PERIOD_END, 截止时间: PERIOD_END, 截止日期: PERIOD_END, 完成时间: PERIOD_END,
  },
  summary: {
    竞赛项目: 'plan', 竞赛名称: 'planName', 竞赛项目名称: 'planName', 计划编号: 'plan', 参与人数规模: 'actualParticipants', 参与人数: 'actualParticipants',
    实际参与人数: 'actualParticipants', 参赛规模: 'actualParticipants', 规模: 'actualParticipants',
  },
};
/** Headers read but not filed: the unit column is checked against the sender's unit. */
const UNIT_HEADERS = ['所属单位', '填报单位', '上报单位'];

const norm = (s: string) => toHalfWidth(squeeze(s)).replace(/[*＊]/g, '').replace(/[(（](必填|选填|元|人)[)）]$/, '').replace(/[()（）【】\[\]]/g, '');
/** "经费支出(万元)": the amounts are in 万元. */
const inWan = (header: string) => /万元/.test(header);

interface Column { key: string; prefix?: boolean; wan?: boolean }

function headerIndex(form: FormDef, kind: SheetForm): Map<string, Column> {
  const index = new Map<string, Column>();
  for (const f of form.fields) {
    for (const label of [f.label, ...(f.aliases ?? []), ...(f.column ? [f.column.header] : [])]) index.set(norm(label), { key: f.key });
    for (const label of f.prefixLabels ?? []) index.set(norm(label), { key: f.key, prefix: true });
  }
  for (const [label, key] of Object.entries(EXTRA_HEADERS[kind])) index.set(norm(label), { key });
  return index;
}

function columnOf(index: Map<string, Column>, header: string): Column | undefined {
  const h = norm(header);
  const direct = index.get(h);
  if (direct) return direct;
  // "经费预算(万元)", "经费支出（万元）": the same column, amounts in 万元.
  const wan = index.get(h.replace(/万元$/, ''));
  return wan && inWan(header) ? { ...wan, wan: true } : undefined;
}

/** Which sheet this is: a 汇总表 has 经费支出 or 获奖情况; a 计划表 has 竞赛项目 and the plan's columns. */
function recognise(cells: string[]): SheetForm | null {
  const h = new Set(cells.map((c) => norm(c).replace(/万元$/, '')));
  if (!['竞赛项目', '计划编号', '竞赛名称', '竞赛项目名称'].some((x) => h.has(x))) return null;
  if (h.has('经费支出') || h.has('获奖情况')) return 'summary';
  const planHeaders = ['企业名称', '组织方式', '组织形式', '参与人数规模', '参与人数', '时间安排', '开始时间', '开始日期'].filter((x) => h.has(x)).length;
  return planHeaders >= 2 ? 'plan' : null;
}

export interface ReadFilingSheet {
  form: SheetForm;
  sheetName: string;
  rows: BatchRow[];
  /** Unfilled rows (a blank template's spare rows, a listed plan without its summary yet). */
  skipped: number;
  /** Rows hidden in the spreadsheet, left out. */
  hidden: number;
  /** The year in the title above the table ("2027年度…计划表"), to check against the campaign. */
  year?: number;
  notes: string[];
  /** The sheet has no 重点项目 column: plans already filed keep theirs (new ones are 否). */
  keepKeyProjects?: boolean;
}

/** Every sheet of the file that is a 计划表 or 汇总表 (计划表 first), or why the file cannot be read. */
export async function readFilingSheets(fileName: string, data: Buffer, unitName: string): Promise<ReadFilingSheet[] | { error: string }> {
  const tables = await readTables(fileName, data);
  if ('error' in tables) return tables;
  const out: ReadFilingSheet[] = [];
  for (const t of tables.sheets) {
    const sheet = await readFilingSheet(t, unitName);
    if (sheet) out.push(sheet);
  }
  return out.sort((a, b) => (a.form === b.form ? 0 : a.form === 'plan' ? -1 : 1));
}

async function readFilingSheet(table: Table, unitName: string): Promise<ReadFilingSheet | null> {
  const headerAt = table.rows.slice(0, 20).findIndex((r) => recognise(r.cells) !== null);
  if (headerAt < 0) return null;
  const kind = recognise(table.rows[headerAt].cells)!;
  const index = headerIndex(FORMS[kind], kind);
  const header = [...table.rows[headerAt].cells];
  let bodyFrom = headerAt + 1;
  // A header over two rows (参与人数 over 规模, 时间安排 over 开始时间 | 结束时间): the second row names the
  // columns it splits; a merged top cell repeats over them.
  const second = table.rows[bodyFrom];
  if (second && second.cells.some((c) => c.trim()) && second.cells.every((c, i) => !c.trim() || columnOf(index, c) || norm(c) === norm(header[i] ?? '') || ['规模', '人数'].includes(norm(c)))) {
    second.cells.forEach((c, i) => {
      if (!c.trim() || norm(c) === norm(header[i] ?? '')) return;
      header[i] = columnOf(index, `${header[i] ?? ''}${c}`) ? `${header[i]}${c}` : c;
    });
    bodyFrom++;
  }
  const columns = header.map((h) => columnOf(index, h ?? ''));
  const unitColumn = header.findIndex((h) => UNIT_HEADERS.includes(norm(h ?? '')));
  const present = new Set(columns.filter(Boolean).map((c) => c!.key));
  const byNumber = header.findIndex((h) => norm(h ?? '') === '计划编号');
  const title = table.rows.slice(0, headerAt).map((r) => r.cells.join('')).join(' ');
  const year = title.match(/(20\d{2})\s*年度?/)?.[1];

  const rows: BatchRow[] = [];
  const notes: string[] = [];
  let skipped = 0;
  let hidden = 0;
  // A sheet of many thousand rows: let other chats be answered while it is read.
  const breathe = breather();
  for (const r of table.rows.slice(bodyFrom)) {
    await breathe();
    const first = squeeze(r.cells.find((c) => c.trim()) ?? '');
    if (!first || r.banner) continue;
    // The 合计 row ends the table; sign-off lines, notes and anything below are no data.
    if (/^(合计|总计)/.test(first)) break;
    if (NOT_DATA.test(first)) continue;
    // Cells that only repeat a merged 企业名称 above do not make a row filled in.
    if (r.cells.every((c, i) => !c.trim() || r.continued?.[i] || !columns[i])) continue;
    if (r.hidden) {
      hidden++;
      continue;
    }
    const raw: RawValues = {};
    const prefixes: RawValues = {};
    columns.forEach((c, i) => {
      let v = (r.cells[i] ?? '').trim();
      if (!c || !v) return;
      if (c.wan && /^[\d.,]+$/.test(v)) v = `${v}万`;
      // A summary names its plan by 计划编号 when the sheet has one; its 竞赛项目 is then checked against it.
      if (c.key === 'plan' && byNumber >= 0 && i !== byNumber) raw.planName = v;
      else if (c.prefix) prefixes[c.key] = v;
      else raw[c.key] = v;
    });
    for (const [key, p] of Object.entries(prefixes)) raw[key] = withPrefix(p!, raw[key]);
    if (raw[PERIOD_START] || raw[PERIOD_END]) {
      raw.period = raw.period ?? `${raw[PERIOD_START] ?? ''}至${raw[PERIOD_END] ?? ''}`;
      delete raw[PERIOD_START];
      delete raw[PERIOD_END];
    }
    if (kind === 'summary' && !raw.plan && raw.planName) raw.plan = raw.planName;
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
      notes.push('表中没有“重点项目”列：已备案的竞赛保留原来填的重点项目，新的记为“否”。如有重点项目，请在表中加一列“重点项目”，填名单上的项目名称（发送 /重点项目 查看）或“否”，再发送一次（同一竞赛项目会作为修改保存）。');
    }
  }
  return { form: kind, sheetName: table.name, rows, skipped, hidden, ...(year ? { year: Number(year) } : {}), notes, ...(kind === 'plan' && !present.has('keyProject') ? { keepKeyProjects: true } : {}) };
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

const isSpreadsheet = (name: string) => /\.(xlsx|xls|csv|et)$/i.test(name);

/**
 * A file sent to the bot: every 计划表 or 汇总表 in it is filed for the sender's unit (the 计划表 first).
 * Returns null when the file holds no such sheet (the caller says what the bot can read).
 */
export async function importFilingFile(app: App, msg: IncomingMessage): Promise<Reply[] | null> {
  const file = msg.attachment;
  if (!file) return null;
  if (!isSpreadsheet(file.fileName)) return [text(`「${file.fileName}」不是表格。请发送 Excel（.xlsx）或 CSV 文件；Word 里的表格请复制到 Excel 后另存为 .xlsx。`)];
  const member = await getMember(app.db, msg.platform, msg.userId);
  const read = await readFilingSheets(file.fileName, file.data, member?.unit?.name ?? '');
  if ('error' in read) return [text(read.error)];
  if (!read.length) return null;
  const replies: Reply[] = [];
  for (const sheet of read) {
    const label = read.length > 1 ? `「${file.fileName}」的“${sheet.sheetName}”` : `「${file.fileName}」`;
    if (!sheet.rows.length) {
      replies.push(text(`${label}里没有填写任何${FORMS[sheet.form].title}（表头以下都是空行${sheet.skipped ? '或未填的计划' : ''}）。请填好后再发送。`));
      continue;
    }
    replies.push(...(await submitFilingBatch(app, { ...msg, form: sheet.form }, sheet.rows, { label, notes: sheet.notes, skipped: sheet.skipped, hidden: sheet.hidden, year: sheet.year, keepKeyProjects: sheet.keepKeyProjects })));
  }
  return replies;
}

/** What to do with a spreadsheet the bot could not read as a filing. */
export function notAFilingSheet(fileName: string): string {
  return `「${fileName}」不是计划表或汇总表（没有找到“竞赛项目”等表头）。可以发送填好的计划表或汇总表，空白表请发送“/模板 计划 表格”或“/模板 总结 表格”下载。`;
}
