// Designated key projects (重点项目): the list a federation publishes for a campaign (省百大项目, 市重点
// 产业项目, …), the one a plan's 重点项目 line names, and which have no competition yet (/keyproject).
// Assessment scores coverage — the share of a unit's designated projects with at least one competition
// (src/services/standings.ts) — so a key project is what the federation listed, not what a unit says.
import type { Db, Tx } from '../store/client.js';
import { inTransaction } from '../store/client.js';
import type { Campaign, KeyProject, Unit } from '../store/models.js';
import { coerceBoolean, coerceDate, planKey, stripInvisible, unsafeCharacters } from '../forms/coerce.js';
import type { KeyProjectValue } from '../forms/types.js';
import { chineseDate } from '../util/dates.js';
import { recordChange, type Actor } from './members.js';
import { NOT_DATA, readTables, squeeze } from './excel/read-table.js';
import { listTemplate } from './excel/list-template.js';
import { descendantsOf, findUnitByName, similarUnitNames } from './units.js';

export const MAX_NAME_LENGTH = 100;

/** A designated project with the competitions (active plans) that name it. */
export interface KeyProjectView {
  id: number;
  name: string;
  unitId: number | null;
  unitName: string | null;
  startDate: string | null;
  withdrawn: boolean;
  plans: { id: number; project: string; unitId: number; unitName: string }[];
}

/** The campaign's designated projects (withdrawn ones only when asked), each with its competitions. */
export async function keyProjectsOf(db: Db | Tx, campaignId: number, opts: { withdrawn?: boolean } = {}): Promise<KeyProjectView[]> {
  const rows = await db.keyProject.findMany({
    where: { campaignId, ...(opts.withdrawn ? {} : { withdrawnAt: null }) },
    orderBy: { id: 'asc' },
    include: { unit: { select: { name: true } }, plans: { where: { withdrawnAt: null }, orderBy: { id: 'asc' }, select: { id: true, project: true, unitId: true, unit: { select: { name: true } } } } },
  });
  return rows.map((k) => ({
    id: k.id, name: k.name, unitId: k.unitId, unitName: k.unit?.name ?? null, startDate: k.startDate, withdrawn: k.withdrawnAt !== null,
    plans: k.plans.map((p) => ({ id: p.id, project: p.project, unitId: p.unitId, unitName: p.unit.name })),
  }));
}

/** Names a plan's 重点项目 may take: the campaign's active designated projects (and those withdrawn, to say so). */
export async function designatedNames(db: Db | Tx, campaignId: number): Promise<{ id: number; name: string }[]> {
  return (await keyProjectNames(db, campaignId)).active;
}

export async function keyProjectNames(db: Db | Tx, campaignId: number): Promise<{ active: { id: number; name: string }[]; withdrawn: { id: number; name: string }[] }> {
  const rows = await db.keyProject.findMany({ where: { campaignId }, orderBy: { id: 'asc' }, select: { id: true, name: true, withdrawnAt: true } });
  return { active: rows.filter((r) => !r.withdrawnAt).map(({ id, name }) => ({ id, name })), withdrawn: rows.filter((r) => r.withdrawnAt).map(({ id, name }) => ({ id, name })) };
}

// ---- matching what a cadre typed to the list ---------------------------------------------------

/** Character pairs, for a similarity that tolerates one changed character (三号线 / 3号线). */
function bigrams(s: string): Map<string, number> {
  const chars = [...s];
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < chars.length; i++) out.set(chars[i] + chars[i + 1], (out.get(chars[i] + chars[i + 1]) ?? 0) + 1);
  return out;
}

function similarity(a: string, b: string): number {
  const [x, y] = [bigrams(a), bigrams(b)];
  let common = 0;
  for (const [k, n] of x) common += Math.min(n, y.get(k) ?? 0);
  const total = [...x.values(), ...y.values()].reduce((s, n) => s + n, 0);
  return total ? (2 * common) / total : 0;
}

export type KeyProjectMatch = { ok: true; project: { id: number; name: string }; loose: boolean } | { ok: false; message: string };

const listed = (names: string[], max = 10) => `${names.slice(0, max).map((n) => `「${n}」`).join('、')}${names.length > max ? ` 等${names.length}个` : ''}`;

/**
 * The designated project `typed` names: the same name written another way (spaces, quotes, width),
 * or the only one whose name contains it or is contained in it (地铁3号线 for 地铁3号线建设工程).
 * Anything else is refused with the closest names (did you mean), never guessed.
 */
export function matchKeyProject(projects: { id: number; name: string }[], typed: string): KeyProjectMatch {
  const key = planKey(typed);
  const exact = projects.find((p) => planKey(p.name) === key);
  if (exact) return { ok: true, project: exact, loose: false };
  // Loose only where little is left out: at least four characters and half the name typed (地铁3号线
  // for 地铁3号线建设工程, not 园区 for 园区智能制造基地), or the name with a few words added (地铁3号线项目).
  const chars = [...key].length;
  const containing = projects.filter((p) => {
    const name = planKey(p.name);
    const length = [...name].length;
    return (name.includes(key) && chars >= 4 && chars * 2 >= length) || (key.includes(name) && length >= 3 && chars - length <= 4);
  });
  if (containing.length === 1) return { ok: true, project: containing[0], loose: true };
  const tail = '请照名单填写名称（发送“/重点项目”查看名单）；不是重点项目请填“否”';
  if (containing.length > 1) return { ok: false, message: `「${typed}」对应多个重点项目：${listed(containing.map((p) => p.name), 5)}，请写完整名称` };
  const close = projects.map((p) => ({ p, s: similarity(planKey(p.name), key) })).filter((x) => x.s >= 0.4).sort((a, b) => b.s - a.s).slice(0, 3);
  if (close.length) return { ok: false, message: `重点项目名单里没有「${typed}」，是不是${close.map((x) => `「${x.p.name}」`).join('或')}？${tail}` };
  return { ok: false, message: `重点项目名单里没有「${typed}」。名单上有：${listed(projects.map((p) => p.name))}。${tail}` };
}

/**
 * A plan's 重点项目 checked against the campaign's list: 否 stays no; a name must be on the list (the
 * stored value becomes { id, name }); a bare 是 is accepted only while the campaign designates none —
 * once there is a list, which project is what counts, so the filer is asked to name it.
 */
export function resolveKeyProject(value: KeyProjectValue, designated: { id: number; name: string }[], withdrawn: { name: string }[] = []): { ok: true; value: KeyProjectValue; loose?: string } | { ok: false; message: string } {
  if (value === false) return { ok: true, value };
  if (!designated.length) {
    // "是（市级重点）": yes with a remark, as before there were lists.
    if (value === true || value.yes) return { ok: true, value: true };
    return { ok: false, message: `本年度还没有公布重点项目名单，请填“是”或“否”（「${value.name}」可以写进竞赛项目或组织方式）` };
  }
  if (value === true) return { ok: false, message: `请写明是名单上的哪个重点项目：${listed(designated.map((p) => p.name))}；不是重点项目请填“否”` };
  // A project taken off the list is said to be so — never read as a similar one still on it.
  const gone = withdrawn.find((p) => planKey(p.name) === planKey(value.name));
  if (gone) return { ok: false, message: `「${gone.name}」已从重点项目名单删除，不再计入。请改填名单上的项目或“否”（名单：${listed(designated.map((p) => p.name), 5)}）` };
  const match = matchKeyProject(designated, value.name);
  if (!match.ok) return match;
  return { ok: true, value: { id: match.project.id, name: match.project.name }, ...(match.loose ? { loose: value.name } : {}) };
}

/** More names than a select can hold (a Lark card is limited to about 28 KB): the name is typed instead. */
const MAX_SELECT_OPTIONS = 60;

/**
 * The choices a form offers for 重点项目: 否 and the list's names, or 是/否 while there is no list; none
 * (a text field) when the list is too long for a select.
 */
export function keyProjectOptions(designated: { name: string }[]): { value: string; label: string }[] {
  if (!designated.length) return [{ value: '是', label: '是' }, { value: '否', label: '否' }];
  if (designated.length > MAX_SELECT_OPTIONS) return [];
  return [{ value: '否', label: '否（不是重点项目）' }, ...designated.map((p) => ({ value: p.name, label: p.name }))];
}

// ---- the federation's list: add, change, withdraw, restore, import -----------------------------

export interface KeyProjectInput {
  name: string;
  /** 所在单位 as typed; absent: the federation's own project (counts for no unit below it). */
  unitName?: string;
  /** 开工日期 as typed. */
  startDate?: string;
}

type Checked = { name: string; unit: Unit | null; startDate: string | null };

export function checkProjectName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const name = stripInvisible(raw).replace(/\s+/g, ' ').trim();
  if (!name) return { ok: false, message: '请写重点项目名称，例如：/重点项目 添加 地铁3号线 单位=东城街道工会' };
  const unsafe = unsafeCharacters(name);
  if (unsafe) return { ok: false, message: `名称${unsafe}` };
  if ([...name].length > MAX_NAME_LENGTH) return { ok: false, message: `名称太长（${[...name].length} 字），请精简到 ${MAX_NAME_LENGTH} 字以内` };
  // A name the 重点项目 line would read as yes or no could never be picked.
  if (coerceBoolean(name).ok || /^(不|非)/.test(name)) return { ok: false, message: `「${name}」在计划的“重点项目”一项里会被当作“是/否”，不能用作名称` };
  return { ok: true, name };
}

/** Checks one entry against the unit tree: 所在单位 must be an active unit within `root` (the group's unit). */
async function checkInput(db: Db | Tx, campaign: Campaign, input: KeyProjectInput, within: (unitId: number) => boolean, rootName: string | null): Promise<{ ok: true; value: Checked } | { ok: false; field: string; message: string }> {
  const name = checkProjectName(input.name);
  if (!name.ok) return { ok: false, field: '名称', message: name.message };
  let unit: Unit | null = null;
  const unitName = input.unitName?.trim();
  if (unitName) {
    unit = await findUnitByName(db, unitName);
    if (!unit || unit.archivedAt || !within(unit.id)) {
      const similar = await similarUnitNames(db, unitName);
      const where = rootName ? `「${rootName}」下属单位中没有` : '没有';
      return { ok: false, field: '所在单位', message: `${where}「${unitName}」。${similar.length ? `是不是：${similar.join('、')}？` : ''}请写单位全称（发送“/单位列表”查看）` };
    }
  }
  let startDate: string | null = null;
  if (input.startDate?.trim()) {
    const d = coerceDate(input.startDate, campaign.year);
    if (!d.ok) return { ok: false, field: '开工日期', message: d.message };
    startDate = d.value;
  }
  return { ok: true, value: { name: name.name, unit, startDate } };
}

const snapshot = (k: KeyProject) => ({ name: k.name, unitId: k.unitId, startDate: k.startDate, withdrawn: k.withdrawnAt !== null });

export type SaveAction = 'created' | 'updated' | 'unchanged' | 'restored';

/**
 * Adds a project, or changes the one of that name (written any way): its unit or start date. A
 * withdrawn project of that name comes back. Every change goes to the revision log.
 */
async function save(tx: Tx, campaign: Campaign, v: Checked, actor: Actor, at: Date): Promise<{ action: SaveAction; project: KeyProject; before?: KeyProject }> {
  const all = await tx.keyProject.findMany({ where: { campaignId: campaign.id } });
  const existing = sameName(all, v.name);
  if (!existing) {
    const project = await tx.keyProject.create({ data: { campaignId: campaign.id, name: v.name, unitId: v.unit?.id ?? null, startDate: v.startDate, createdBy: actor.userName, createdAt: at } });
    await recordChange(tx, actor, 'keyProject', project.id, 'create', null, snapshot(project));
    return { action: 'created', project };
  }
  // Only what was given changes: "/重点项目 添加 地铁3号线" again keeps the unit and date it had.
  const next = { unitId: v.unit?.id ?? existing.unitId, startDate: v.startDate ?? existing.startDate, withdrawnAt: null };
  if (next.unitId === existing.unitId && next.startDate === existing.startDate && !existing.withdrawnAt) return { action: 'unchanged', project: existing };
  const project = await tx.keyProject.update({ where: { id: existing.id }, data: next });
  await recordChange(tx, actor, 'keyProject', project.id, existing.withdrawnAt ? 'restore' : 'update', snapshot(existing), snapshot(project));
  return { action: existing.withdrawnAt ? 'restored' : 'updated', project, before: existing };
}

export type SaveResult = { ok: true; action: SaveAction; project: KeyProject; unitName: string | null; before?: KeyProject } | { ok: false; message: string };

/** Unit ids within `rootId` (itself included), or every unit when null. */
async function withinRoot(db: Db | Tx, rootId: number | null): Promise<(unitId: number) => boolean> {
  if (rootId === null) return () => true;
  const ids = new Set<number>([rootId, ...(await descendantsOf(db, rootId)).map((u) => u.id)]);
  return (id) => ids.has(id);
}

/**
 * Whether an admin working from `root`'s group may change a project: one lying in root's tree; the
 * organiser's own projects (no unit) only from the campaign's own unit. Null root: everything.
 */
function changeableFrom(root: Unit | null, campaign: Campaign, within: (unitId: number) => boolean): (k: { unitId: number | null }) => boolean {
  return (k) => root === null || (k.unitId === null ? campaign.unitId === null || root.id === campaign.unitId : within(k.unitId));
}

/** The project of that name (written any way) already listed, withdrawn or not. */
function sameName<T extends { name: string; withdrawnAt: Date | null }>(all: T[], name: string): T | undefined {
  const key = planKey(name);
  return all.find((k) => !k.withdrawnAt && planKey(k.name) === key) ?? all.find((k) => planKey(k.name) === key);
}

const notYours = (name: string, root: Unit | null) => `「${name}」不在「${root?.name ?? ''}」的范围内，请在它所在单位或上级单位的工作群里修改`;

export async function addKeyProject(db: Db, campaign: Campaign, input: KeyProjectInput, actor: Actor, root: Unit | null, at: Date): Promise<SaveResult> {
  const within = await withinRoot(db, root?.id ?? null);
  const checked = await checkInput(db, campaign, input, within, root?.name ?? null);
  if (!checked.ok) return { ok: false, message: `${checked.field}：${checked.message}` };
  const existing = sameName(await db.keyProject.findMany({ where: { campaignId: campaign.id } }), checked.value.name);
  if (existing && !changeableFrom(root, campaign, within)(existing)) return { ok: false, message: notYours(existing.name, root) };
  const saved = await inTransaction(db, (tx) => save(tx, campaign, checked.value, actor, at));
  return { ok: true, ...saved, unitName: checked.value.unit?.name ?? (saved.project.unitId ? (await db.unit.findUnique({ where: { id: saved.project.unitId } }))?.name ?? null : null) };
}

/** Withdraws (removes from the list, undoable) or restores the project `typed` names. */
export async function setKeyProjectWithdrawn(db: Db, campaign: Campaign, typed: string, withdraw: boolean, actor: Actor, root: Unit | null, at: Date): Promise<{ ok: true; project: KeyProject; competitions: number } | { ok: false; message: string }> {
  const may = changeableFrom(root, campaign, await withinRoot(db, root?.id ?? null));
  const everywhere = await db.keyProject.findMany({ where: { campaignId: campaign.id, withdrawnAt: withdraw ? null : { not: null } }, select: { id: true, name: true, unitId: true } });
  const elsewhere = everywhere.find((k) => !may(k) && planKey(k.name) === planKey(typed));
  if (elsewhere) return { ok: false, message: notYours(elsewhere.name, root) };
  const pool = everywhere.filter(may);
  if (!pool.length) return { ok: false, message: withdraw ? '名单上还没有重点项目。' : '没有已删除的重点项目可以恢复。' };
  const match = matchKeyProject(pool, typed);
  if (!match.ok) return { ok: false, message: withdraw ? match.message.replace(/；不是重点项目请填“否”$/, '') : `已删除的重点项目里没有「${typed}」。已删除的有：${listed(pool.map((p) => p.name))}` };
  if (match.loose) return { ok: false, message: `请写完整名称：是不是「${match.project.name}」？` };
  const project = await inTransaction(db, async (tx) => {
    const before = await tx.keyProject.findUniqueOrThrow({ where: { id: match.project.id } });
    const after = await tx.keyProject.update({ where: { id: before.id }, data: { withdrawnAt: withdraw ? at : null } });
    await recordChange(tx, actor, 'keyProject', after.id, withdraw ? 'withdraw' : 'restore', snapshot(before), snapshot(after));
    return after;
  });
  const competitions = await db.plan.count({ where: { keyProjectId: project.id, withdrawnAt: null } });
  return { ok: true, project, competitions };
}

/**
 * Renames a project (a typo in the list): the plans that name it keep it, and the old name is kept in
 * the revision log. The new name must not be another project's.
 */
export async function renameKeyProject(db: Db, campaign: Campaign, typed: string, newName: string, actor: Actor, root: Unit | null): Promise<{ ok: true; before: string; project: KeyProject } | { ok: false; message: string }> {
  const may = changeableFrom(root, campaign, await withinRoot(db, root?.id ?? null));
  const all = await db.keyProject.findMany({ where: { campaignId: campaign.id } });
  const pool = all.filter((k) => !k.withdrawnAt && may(k));
  const match = matchKeyProject(pool, typed);
  if (!match.ok) return { ok: false, message: match.message.replace(/；不是重点项目请填“否”$/, '') };
  if (match.loose) return { ok: false, message: `请写完整名称：是不是「${match.project.name}」？` };
  const name = checkProjectName(newName);
  if (!name.ok) return { ok: false, message: `新名称：${name.message}` };
  const clash = all.find((k) => k.id !== match.project.id && planKey(k.name) === planKey(name.name));
  if (clash) return { ok: false, message: `名单上已有「${clash.name}」${clash.withdrawnAt ? '（已删除，可用“恢复”找回）' : ''}，请换一个名称` };
  const project = await inTransaction(db, async (tx) => {
    const before = await tx.keyProject.findUniqueOrThrow({ where: { id: match.project.id } });
    const after = await tx.keyProject.update({ where: { id: before.id }, data: { name: name.name } });
    await recordChange(tx, actor, 'keyProject', after.id, 'rename', snapshot(before), snapshot(after));
    return after;
  });
  return { ok: true, before: match.project.name, project };
}

// ---- the list as a spreadsheet -------------------------------------------------------------------

export const KEY_PROJECT_COLUMNS = [
  { key: 'name', header: '名称', aliases: ['项目名称', '重点项目', '重点项目名称', '工程名称', '项目'], width: 36, note: '必填，重点项目的名称，计划里“重点项目”一项照此填写' },
  { key: 'unit', header: '所在单位', aliases: ['所属单位', '单位', '责任单位', '属地单位', '所在街道'], width: 26, note: '选填；项目所在的单位（须是已登记的单位全称）。新项目不填：算组织单位自己的项目，不计入下属单位的考核；名单上已有的项目不填则保持原来的单位' },
  { key: 'startDate', header: '开工日期', aliases: ['开工时间', '开工', '计划开工日期', '开工年月'], width: 16, note: '选填，例如 2027年3月1日', numFmt: 'yyyy"年"m"月"d"日"' },
] as const;
type ColumnKey = (typeof KEY_PROJECT_COLUMNS)[number]['key'];

export function keyProjectTemplate(): Promise<Buffer> {
  return listTemplate('重点项目名单', KEY_PROJECT_COLUMNS, '从第2行起每行一个重点项目。名单里已有的项目再导入一次，会更新其所在单位和开工日期。有任何一行出错时整份名单都不会导入。');
}

const HEADER_OF = new Map<string, ColumnKey>(KEY_PROJECT_COLUMNS.flatMap((c) => [c.header, ...c.aliases].map((h) => [squeeze(h), c.key] as [string, ColumnKey])));

/** The header row of a key-project list: a 名称-like column and a 所在单位- or 开工-like one. */
function headerOf(cells: string[]): Map<ColumnKey, number> | null {
  const found = new Map<ColumnKey, number>();
  cells.forEach((c, i) => {
    const key = HEADER_OF.get(squeeze(c).replace(/[(（].*[)）]$/, ''));
    if (key && !found.has(key)) found.set(key, i);
  });
  return found.has('name') && (found.has('unit') || found.has('startDate')) ? found : null;
}

/** Whether a spreadsheet is a key-project list (so a file sent privately to the bot goes to its import). */
export async function isKeyProjectSheet(fileName: string, data: Buffer): Promise<boolean> {
  const read = await readTables(fileName, data).catch(() => ({ error: '' }));
  if ('error' in read) return false;
  return read.sheets.some((s) => s.rows.slice(0, 5).some((r) => headerOf(r.cells) !== null));
}

/**
 * A date cell formatted as text or as a number shows Excel's day count (46447 for 2027-03-01): days
 * since 1899-12-30, the epoch Excel's 1900 leap-year bug leaves. Anything else is left as typed.
 */
function excelDate(s: string): string {
  if (!/^\d{5}(\.\d+)?$/.test(s)) return s;
  const serial = Math.floor(Number(s));
  if (serial < 36526 || serial > 73051) return s; // 2000-01-01 … 2099-12-31
  return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
}

export type ImportKeyProjectsResult =
  | { ok: true; created: string[]; updated: string[]; restored: string[]; unchanged: number }
  | { ok: false; errors: string[] };

/**
 * A key-project list (.xlsx or .csv: 名称, 所在单位, 开工日期): every row checked, then all saved in
 * one transaction — or none, with every bad row named. Projects already listed are updated.
 */
export async function importKeyProjects(db: Db, campaign: Campaign, fileName: string, data: Buffer, actor: Actor, root: Unit | null, at: Date): Promise<ImportKeyProjectsResult> {
  const read = await readTables(fileName, data);
  if ('error' in read) return { ok: false, errors: [read.error] };
  let sheet: { rows: { row: number; cells: string[]; banner?: boolean; hidden?: boolean }[] } | undefined;
  let columns: Map<ColumnKey, number> | null = null;
  let headerRow = 0;
  for (const s of read.sheets) {
    const h = s.rows.slice(0, 5).find((r) => headerOf(r.cells));
    if (h) {
      sheet = s;
      columns = headerOf(h.cells);
      headerRow = h.row;
      break;
    }
  }
  if (!sheet || !columns) return { ok: false, errors: [`表格里找不到表头：第一行请写“${KEY_PROJECT_COLUMNS.map((c) => c.header).join('”“')}”（发送“/重点项目 导入”下载模板）`] };
  const within = await withinRoot(db, root?.id ?? null);
  const may = changeableFrom(root, campaign, within);
  const all = await db.keyProject.findMany({ where: { campaignId: campaign.id } });
  const errors: string[] = [];
  const checked: Checked[] = [];
  const seen = new Map<string, number>();
  const cell = (cells: string[], key: ColumnKey) => (columns!.has(key) ? (cells[columns!.get(key)!] ?? '').trim() : '');
  for (const r of sheet.rows) {
    if (r.row <= headerRow || r.banner || r.hidden) continue;
    const name = cell(r.cells, 'name');
    if (!r.cells.some((c) => c.trim())) continue;
    if (NOT_DATA.test(squeeze(r.cells.find((c) => c.trim()) ?? ''))) continue;
    if (!name) {
      errors.push(`第${r.row}行 · 名称：没有填写，请补上或删除这一行`);
      continue;
    }
    const result = await checkInput(db, campaign, { name, unitName: cell(r.cells, 'unit'), startDate: excelDate(cell(r.cells, 'startDate')) }, within, root?.name ?? null);
    if (!result.ok) {
      errors.push(`第${r.row}行 · ${result.field}：${result.message}`);
      continue;
    }
    const key = planKey(result.value.name);
    const existing = sameName(all, result.value.name);
    if (existing && !may(existing)) {
      errors.push(`第${r.row}行 · 名称：${notYours(existing.name, root)}`);
      continue;
    }
    if (seen.has(key)) {
      errors.push(`第${r.row}行 · 名称：与第${seen.get(key)}行重复，请只保留一行`);
      continue;
    }
    seen.set(key, r.row);
    checked.push(result.value);
  }
  if (errors.length) return { ok: false, errors };
  if (!checked.length) return { ok: false, errors: ['表格里没有重点项目（表头下面是空的）。'] };
  const out = { created: [] as string[], updated: [] as string[], restored: [] as string[], unchanged: 0 };
  await inTransaction(db, async (tx) => {
    for (const v of checked) {
      const s = await save(tx, campaign, v, actor, at);
      if (s.action === 'unchanged') out.unchanged++;
      else out[s.action].push(s.project.name);
    }
  });
  return { ok: true, ...out };
}

/** "地铁3号线（东城街道工会，2027年3月1日开工）". */
export function describeProject(k: { name: string; unitName: string | null; startDate: string | null }): string {
  const details = [k.unitName ?? '组织单位直属', k.startDate ? `${chineseDate(k.startDate)}开工` : null].filter(Boolean);
  return `${k.name}（${details.join('，')}）`;
}
