// /import 导入: the unit roster from an Excel or CSV file. Every row is checked first; if any row is
// wrong nothing is written and each bad row is named by its row number in the file, so the admin
// fixes the file and sends it again. A good file is written in one transaction. Rows that are no
// unit (合计, 小计, 备注, a merged banner across the table) are skipped and listed. A file that moves
// existing units to other parents is shown first and applied only after "/import 确认".
import { listTemplate } from './excel/list-template.js';
import { NOT_DATA as NOT_A_UNIT, readTable, squeeze } from './excel/read-table.js';
import { coerceInteger, stripInvisible } from '../forms/coerce.js';
import type { FieldDef } from '../forms/types.js';
import type { Db } from '../store/client.js';
import { checkName, checkPhone, namesLike, recomputeLevels } from './units.js';
import { rebindAfterMove } from './campaigns.js';
import { recordChange, type Actor } from './members.js';

/** 职工数 in a roster, read as /unit 职工数= reads it ("约200人", "1,200", "两千"). */
const HEADCOUNT: FieldDef = { key: 'headcount', label: '职工数', type: 'integer', required: false, min: 0, max: 10_000_000 };

export const ROSTER_COLUMNS = [
  { key: 'name', header: '单位名称', aliases: ['单位', '名称', '工会名称', '单位名'], width: 30, note: '必填，全称，如“东城街道工会”' },
  { key: 'parent', header: '上级单位', aliases: ['上级', '上级工会', '上级单位名称'], width: 30, note: '选填；须是已有单位或本表中的单位' },
  { key: 'headcount', header: '职工数', aliases: ['职工人数', '人数', '职工总数'], width: 12, note: '选填，整数' },
  { key: 'code', header: '单位代码', aliases: ['代码', '编码', '统一社会信用代码'], width: 24, note: '选填', numFmt: '@' },
  { key: 'contact', header: '联系人', aliases: ['联系人姓名', '负责人', '联络员', '姓名'], width: 12, note: '选填；只有管理员能看到' },
  { key: 'phone', header: '手机号', aliases: ['手机', '联系电话', '电话', '手机号码'], width: 16, note: '选填，11位手机号或带区号的固定电话；只有管理员能看到' },
] as const;
type RosterKey = (typeof ROSTER_COLUMNS)[number]['key'];

export interface RosterRow {
  /** The row number as the admin sees it in Excel (header = 1). */
  row: number;
  name: string;
  parent: string;
  headcount: string;
  code: string;
  contact: string;
  phone: string;
}

/** A row that is no unit, left out and told to the admin. */
export interface SkippedRow {
  row: number;
  text: string;
  why: string;
}

/** An existing unit the file puts under another parent. */
export interface Move {
  name: string;
  from: string;
  to: string;
}

export interface RowError {
  row: number;
  message: string;
}

export type ImportResult =
  | { ok: true; created: string[]; updated: string[]; moved: Move[]; skipped: SkippedRow[]; warnings: string[] }
  | { ok: false; errors: RowError[]; message?: string; skipped?: SkippedRow[] }
  /** Nothing written: the moves wait for "/import 确认". */
  | { ok: false; confirm: true; moves: Move[]; created: string[]; skipped: SkippedRow[]; warnings: string[] };

/** The template admins download: the header row and a sheet of instructions. */
export function rosterTemplate(): Promise<Buffer> {
  return listTemplate('单位名单', ROSTER_COLUMNS, '从第2行起每行一个单位；上级单位写在下级之前或之后都可以。有任何一行出错时整份名单都不会导入，请按提示改正后重新发送。');
}

const HEADER_WORDS = new Set<string>([...ROSTER_COLUMNS.flatMap((c) => [c.header, ...c.aliases]), '职务', '办公电话', '邮箱', '序号']);

/** Reads the roster rows; the header row may be anywhere in the first five rows, and may take two rows. */
export async function readRoster(fileName: string, data: Buffer): Promise<{ rows: RosterRow[]; skipped: SkippedRow[]; warnings: string[] } | { error: string }> {
  const table = await readTable(fileName, data);
  if ('error' in table) return table;
  const isNameHeader = (c: string) => ROSTER_COLUMNS[0].header === squeeze(c) || (ROSTER_COLUMNS[0].aliases as readonly string[]).includes(squeeze(c));
  const headerAt = table.rows.slice(0, 5).findIndex((r) => r.cells.some(isNameHeader));
  if (headerAt < 0) return { error: `没有找到表头。第一行应为：${ROSTER_COLUMNS.map((c) => c.header).join('、')}。发送“/导入”可下载模板。` };
  const header = table.rows[headerAt].cells.map(squeeze);
  const skipped: SkippedRow[] = [];
  const warnings: string[] = [];
  // A header over two rows (联系人 merged above 姓名 | 手机号): the second row names the columns it splits.
  let bodyFrom = headerAt + 1;
  const next = table.rows[headerAt + 1];
  if (next && next.cells.some((c) => c.trim()) && next.cells.every((c, i) => !c.trim() || HEADER_WORDS.has(squeeze(c)) || squeeze(c) === header[i])) {
    next.cells.forEach((c, i) => { if (squeeze(c)) header[i] = squeeze(c); });
    skipped.push({ row: next.row, text: next.cells.filter((c) => c.trim()).join(' ').slice(0, 30), why: '表头第二行' });
    bodyFrom += 1;
  }
  const index = {} as Record<RosterKey, number>;
  for (const col of ROSTER_COLUMNS) index[col.key] = header.findIndex((h) => h === col.header || (col.aliases as readonly string[]).includes(h));
  const rows: RosterRow[] = [];
  for (const r of table.rows.slice(bodyFrom)) {
    const get = (k: RosterKey) => (index[k] >= 0 ? stripInvisible(r.cells[index[k]] ?? '').trim() : '');
    const row = { row: r.row, name: get('name'), parent: get('parent'), headcount: get('headcount'), code: get('code'), contact: get('contact'), phone: get('phone') };
    if (!Object.entries(row).some(([k, v]) => k !== 'row' && v)) continue;
    const shown = r.cells.find((c) => c.trim())?.trim().slice(0, 30) ?? '';
    if (r.banner) {
      skipped.push({ row: r.row, text: shown, why: '整行合并的单元格' });
      continue;
    }
    if (NOT_A_UNIT.test(squeeze(row.name)) || (!row.name && NOT_A_UNIT.test(squeeze(shown)))) {
      skipped.push({ row: r.row, text: shown, why: '合计、小计、备注或签字行' });
      continue;
    }
    // Unit names are typed in commands: spaces inside one are a typing slip ("南城 街道工会").
    for (const key of ['name', 'parent'] as const) {
      const tight = squeeze(row[key]);
      if (tight !== row[key]) {
        warnings.push(`第${r.row}行：“${row[key]}”中的空格已去掉`);
        row[key] = tight;
      }
    }
    rows.push(row);
  }
  return { rows, skipped, warnings };
}

interface PlannedUnit {
  row: RosterRow;
  headcount: number | null;
  phone: string | null;
  existingId?: number;
  level?: number;
}

interface Checked {
  warnings: string[];
  errors: RowError[];
  planned: PlannedUnit[];
  moves: (Move & { id: number; parentName: string })[];
}

/** Checks every row against the file and the database; writes nothing. */
async function check(db: Db, rows: RosterRow[]): Promise<Checked> {
  const errors: RowError[] = [];
  const warnings: string[] = [];
  const all = await db.unit.findMany({ select: { id: true, name: true, level: true, parentId: true, archivedAt: true } });
  const existing = new Map(all.map((u) => [u.name, u]));
  const idToName = new Map(all.map((u) => [u.id, u.name]));
  const byName = new Map<string, PlannedUnit>();
  const planned: PlannedUnit[] = [];
  const moves: Checked['moves'] = [];
  for (const row of rows) {
    const problems: string[] = [];
    if (!row.name) problems.push('“单位名称”不能为空');
    else if ([...row.name].length > 60) problems.push('“单位名称”太长，请控制在60字以内');
    else if (byName.has(row.name)) problems.push(`单位“${row.name}”与第${byName.get(row.name)!.row.row}行重复`);
    let headcount: number | null = null;
    if (row.headcount) {
      const n = coerceInteger(row.headcount, HEADCOUNT);
      if (!n.ok) problems.push(`“职工数”应为整数，现在是“${row.headcount}”`);
      else headcount = n.value;
    }
    // A phone that does not look like one ("0571-88888888-801", two numbers in a cell) is kept as
    // typed, with a warning: it is a contact note, not a reason to refuse the whole roster.
    let phone: string | null = null;
    if (row.phone) {
      const p = checkPhone(row.phone);
      if (p.ok) phone = p.value;
      else if ([...row.phone].length > 30) problems.push('“手机号”太长（最多30个字符）');
      else {
        phone = row.phone;
        warnings.push(`第${row.row}行：手机号“${row.phone}”格式不像手机号或带区号的固定电话，已原样保存，请核对`);
      }
    }
    const nameProblem = row.name ? checkName(row.name) : null;
    if (nameProblem && nameProblem !== '单位名称太长，请控制在 60 字以内') problems.push(`“单位名称”：${nameProblem}`);
    if ([...row.contact].length > 20) problems.push('“联系人”太长');
    if (row.parent && row.parent === row.name) problems.push('“上级单位”不能是它自己');
    if ([...row.code].length > 40) problems.push('“单位代码”太长');
    const old = existing.get(row.name);
    if (old?.archivedAt) problems.push(`单位“${row.name}”已删除（归档），请先发送“/单位 恢复 ${row.name}”恢复，或从表中去掉这一行`);
    if (old && row.parent && !old.archivedAt) {
      const oldParent = old.parentId === null ? '' : idToName.get(old.parentId) ?? '';
      if (oldParent !== row.parent) moves.push({ id: old.id, name: row.name, from: oldParent || '无', to: row.parent, parentName: row.parent });
    }
    const p: PlannedUnit = { row, headcount, phone, ...(old ? { existingId: old.id, level: old.level } : {}) };
    if (problems.length) errors.push({ row: row.row, message: problems.join('；') });
    if (row.name && !byName.has(row.name)) byName.set(row.name, p);
    planned.push(p);
  }
  // The tree after the import: every parent must exist (in the system or the file) and no unit may
  // end up under itself.
  const parentOf = new Map<string, string | null>(all.map((u) => [u.name, u.parentId === null ? null : idToName.get(u.parentId) ?? null]));
  for (const p of planned) if (p.row.name && (p.existingId === undefined || p.row.parent)) parentOf.set(p.row.name, p.row.parent || (p.existingId === undefined ? null : parentOf.get(p.row.name) ?? null));
  for (const p of planned) {
    if (!p.row.name || errors.some((e) => e.row === p.row.row)) continue;
    const parent = p.row.parent;
    if (parent && !existing.has(parent) && !byName.has(parent)) {
      const like = namesLike(parent, [...byName.keys(), ...[...existing].filter(([, u]) => !u.archivedAt).map(([name]) => name)]);
      errors.push({ row: p.row.row, message: `上级单位“${parent}”不存在（既不在系统中，也不在本表中）${like.length ? `，是不是“${[...new Set(like)].slice(0, 3).join('”或“')}”？` : '，请检查名称是否完全一致'}` });
      continue;
    }
    if (parent && existing.get(parent)?.archivedAt) {
      errors.push({ row: p.row.row, message: `上级单位“${parent}”已删除（归档）` });
      continue;
    }
    const seen = new Set<string>([p.row.name]);
    for (let up = parentOf.get(p.row.name) ?? null; up !== null; up = parentOf.get(up) ?? null) {
      if (seen.has(up)) {
        errors.push({ row: p.row.row, message: `上级关系形成了循环（“${p.row.name}”最终会在自己下面），请检查这一行和相关行的“上级单位”` });
        break;
      }
      seen.add(up);
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { errors, warnings, planned, moves };
}

const IMPORT_ACTOR_NOTE = { via: 'import' };

/**
 * Imports a roster. Without `confirmMoves`, a file that moves existing units writes nothing and
 * returns the moves for the admin to confirm.
 */
export async function importRoster(db: Db, fileName: string, data: Buffer, opts: { actor: Actor; confirmMoves?: Move[] }): Promise<ImportResult> {
  const read = await readRoster(fileName, data);
  if ('error' in read) return { ok: false, errors: [], message: read.error };
  if (!read.rows.length) return { ok: false, errors: [], message: '表格里没有单位。请从第2行起每行填写一个单位。', skipped: read.skipped };
  const { errors, planned, moves, warnings: checkWarnings } = await check(db, read.rows);
  const warnings = [...read.warnings, ...checkWarnings];
  if (errors.length) return { ok: false, errors, skipped: read.skipped };
  const newNames = planned.filter((p) => p.existingId === undefined).map((p) => p.row.name);
  const shown = moves.map(({ name, from, to }) => ({ name, from, to }));
  if (moves.length && !opts.confirmMoves) return { ok: false, confirm: true, moves: shown, created: newNames, skipped: read.skipped, warnings };
  // Confirmed moves must be the ones shown: units moved by someone else since would move back unseen.
  if (opts.confirmMoves && JSON.stringify(opts.confirmMoves) !== JSON.stringify(shown)) {
    return { ok: false, errors: [], message: '预览之后单位的上下级有了变化（可能有人刚调整过），为免改错没有导入。请把文件和“/导入”一起重新发送，核对新的预览后再确认。' };
  }
  const created: string[] = [];
  const updated: string[] = [];
  await db.$transaction(async (tx) => {
    const ids = new Map<string, number>();
    // New units top-down through the file (a parent may be a later row), then the moves.
    const pending = planned.filter((p) => p.existingId === undefined);
    for (const p of planned.filter((p) => p.existingId !== undefined)) {
      ids.set(p.row.name, p.existingId!);
      const before = await tx.unit.findUnique({ where: { id: p.existingId! } });
      const data: { headcount?: number; code?: string; contactName?: string; contactPhone?: string } = {};
      if (p.headcount !== null) data.headcount = p.headcount;
      if (p.row.code) data.code = p.row.code;
      if (p.row.contact) data.contactName = p.row.contact;
      if (p.phone) data.contactPhone = p.phone;
      const changed = before && Object.entries(data).some(([k, v]) => (before as Record<string, unknown>)[k] !== v);
      if (changed) {
        const after = await tx.unit.update({ where: { id: p.existingId! }, data });
        await recordChange(tx, opts.actor, 'unit', after.id, 'import-set', { ...IMPORT_ACTOR_NOTE, ...pickUnit(before) }, pickUnit(after)!);
        updated.push(p.row.name);
      }
    }
    for (let guard = 0; pending.length && guard < 1000; guard++) {
      const i = pending.findIndex((p) => !p.row.parent || ids.has(p.row.parent) || settled(p.row.parent));
      const p = pending.splice(i < 0 ? 0 : i, 1)[0];
      const parentId = p.row.parent ? ids.get(p.row.parent) ?? (await tx.unit.findUnique({ where: { name: p.row.parent }, select: { id: true } }))?.id ?? null : null;
      const unit = await tx.unit.create({ data: { name: p.row.name, level: 1, parentId, headcount: p.headcount, code: p.row.code || null, contactName: p.row.contact || null, contactPhone: p.phone } });
      await recordChange(tx, opts.actor, 'unit', unit.id, 'import-add', null, { ...IMPORT_ACTOR_NOTE, ...pickUnit(unit) });
      ids.set(unit.name, unit.id);
      created.push(unit.name);
    }
    for (const m of moves) {
      const before = await tx.unit.findUniqueOrThrow({ where: { id: m.id } });
      const after = await tx.unit.update({ where: { id: m.id }, data: { parentId: ids.get(m.parentName) ?? (await tx.unit.findUniqueOrThrow({ where: { name: m.parentName } })).id } });
      await recordChange(tx, opts.actor, 'unit', m.id, 'import-move', pickUnit(before), pickUnit(after)!);
    }
    await recomputeLevels(tx);
    // A unit moved into another federation's tree takes its groups along to that federation's campaign.
    for (const m of moves) await rebindAfterMove(tx, m.id);

    function settled(name: string): boolean {
      // A parent that exists in the database and is not itself waiting in this file.
      return !pending.some((q) => q.row.name === name);
    }
  });
  return { ok: true, created, updated, moved: shown, skipped: read.skipped, warnings };
}

function pickUnit(u: { name: string; parentId: number | null; headcount: number | null; code: string | null; contactName: string | null; contactPhone: string | null } | null) {
  return u ? { name: u.name, parentId: u.parentId, headcount: u.headcount, code: u.code, contactName: u.contactName, contactPhone: u.contactPhone } : null;
}
