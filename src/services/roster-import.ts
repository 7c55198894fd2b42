// /import 导入: the unit roster from an Excel or CSV file. Every row is checked first; if any row is
// wrong nothing is written and each bad row is named by its row number in the file, so the admin
// fixes the file and sends it again. A good file is written in one transaction. Rows that are no
// unit (合计, 小计, 备注, a merged banner across the table) are skipped and listed. A file that moves
// existing units to other parents is shown first and applied only after "/import 确认".
//
// A roster may have 100,000 rows, and other chats must still be answered meanwhile: the file is
// parsed in a worker thread (read-table.ts), reading and checking give the event loop a turn every
// few milliseconds (breather) with nothing written yet, and the writing is one transaction of bulk
// statements that never holds the loop for long (see importRoster), so all or nothing still holds.
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { listTemplate } from './excel/list-template.js';
import { breather, NOT_DATA as NOT_A_UNIT, readTable, squeeze } from './excel/read-table.js';
import { coerceInteger, stripInvisible } from '../forms/coerce.js';
import type { FieldDef } from '../forms/types.js';
import type { Db, Tx } from '../store/client.js';
import { checkName, checkPhone, namesLike, recomputeLevels } from './units.js';
import { rebindAfterMove } from './campaigns.js';
import { recordChange, type Actor } from './members.js';
import type { SqlDialect } from './raw-sql.js';

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
  const breathe = breather();
  for (const r of table.rows.slice(bodyFrom)) {
    await breathe();
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
  /** Every unit in the database by name, as the check saw them. */
  existing: Map<string, ExistingUnit>;
}

interface ExistingUnit {
  id: number;
  name: string;
  level: number;
  parentId: number | null;
  archivedAt: Date | null;
}

/** Units per query when the check reads them all. */
const UNIT_PAGE = 5000;

/** Missing parents asked back with a similar name ("是不是…？"): the answer lists 30 rows at most. */
const MAX_SUGGESTED = 50;

/** Checks every row against the file and the database; writes nothing. */
async function check(db: Db, rows: RosterRow[]): Promise<Checked> {
  const errors: RowError[] = [];
  const warnings: string[] = [];
  const breathe = breather();
  // A page at a time: reading 100,000 units in one query holds the event loop for a good while.
  const all: ExistingUnit[] = [];
  for (;;) {
    await breathe();
    const page = await db.unit.findMany({ where: { id: { gt: all.at(-1)?.id ?? 0 } }, orderBy: { id: 'asc' }, take: UNIT_PAGE, select: { id: true, name: true, level: true, parentId: true, archivedAt: true } });
    all.push(...page);
    if (page.length < UNIT_PAGE) break;
  }
  const existing = new Map(all.map((u) => [u.name, u]));
  const idToName = new Map(all.map((u) => [u.id, u.name]));
  const byName = new Map<string, PlannedUnit>();
  const planned: PlannedUnit[] = [];
  const moves: Checked['moves'] = [];
  for (const row of rows) {
    await breathe();
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
  const badRows = new Set(errors.map((e) => e.row));
  // Whether a unit's chain of parents runs into a loop, worked out once per unit: walking up from
  // every row anew would take rows × depth steps, and a file may chain 100,000 units.
  const loops = new Map<string, boolean>();
  const inLoop = (name: string): boolean => {
    const path: string[] = [];
    const onPath = new Set<string>();
    let found = false;
    for (let at: string | null = name; at !== null; at = parentOf.get(at) ?? null) {
      if (loops.has(at)) {
        found = loops.get(at)!;
        break;
      }
      if (onPath.has(at)) {
        found = true;
        break;
      }
      path.push(at);
      onPath.add(at);
    }
    for (const n of path) loops.set(n, found);
    return found;
  };
  let candidates: string[] | undefined;
  let suggested = 0;
  for (const p of planned) {
    await breathe();
    if (!p.row.name || badRows.has(p.row.row)) continue;
    const parent = p.row.parent;
    if (parent && !existing.has(parent) && !byName.has(parent)) {
      // Suggestions compare with every name: for the rows the answer shows, not for all of them.
      candidates ??= [...byName.keys(), ...all.filter((u) => !u.archivedAt).map((u) => u.name)];
      const like = suggested++ < MAX_SUGGESTED ? namesLike(parent, candidates) : [];
      errors.push({ row: p.row.row, message: `上级单位“${parent}”不存在（既不在系统中，也不在本表中）${like.length ? `，是不是“${[...new Set(like)].slice(0, 3).join('”或“')}”？` : '，请检查名称是否完全一致'}` });
      continue;
    }
    if (parent && existing.get(parent)?.archivedAt) {
      errors.push({ row: p.row.row, message: `上级单位“${parent}”已删除（归档）` });
      continue;
    }
    if (inLoop(p.row.name)) errors.push({ row: p.row.row, message: `上级关系形成了循环（“${p.row.name}”最终会在自己下面），请检查这一行和相关行的“上级单位”` });
  }
  errors.sort((a, b) => a.row - b.row);
  return { errors, warnings, planned, moves, existing };
}

const IMPORT_ACTOR_NOTE = { via: 'import' };
/** Rows per bulk statement (one JSON parameter), each batch between two turns of the event loop. */
const BATCH = 2000;

/**
 * Imports a roster. Without `confirmMoves`, a file that moves existing units writes nothing and
 * returns the moves for the admin to confirm.
 */
export async function importRoster(db: Db, fileName: string, data: Buffer, opts: { actor: Actor; confirmMoves?: Move[]; dialect: SqlDialect }): Promise<ImportResult> {
  const read = await readRoster(fileName, data);
  if ('error' in read) return { ok: false, errors: [], message: read.error };
  if (!read.rows.length) return { ok: false, errors: [], message: '表格里没有单位。请从第2行起每行填写一个单位。', skipped: read.skipped };
  const { errors, planned, moves, existing, warnings: checkWarnings } = await check(db, read.rows);
  const warnings = [...read.warnings, ...checkWarnings];
  if (errors.length) return { ok: false, errors, skipped: read.skipped };
  const newNames = planned.filter((p) => p.existingId === undefined).map((p) => p.row.name);
  const shown = moves.map(({ name, from, to }) => ({ name, from, to }));
  if (moves.length && !opts.confirmMoves) return { ok: false, confirm: true, moves: shown, created: newNames, skipped: read.skipped, warnings };
  // Confirmed moves must be the ones shown: units moved by someone else since would move back unseen.
  if (opts.confirmMoves && JSON.stringify(opts.confirmMoves) !== JSON.stringify(shown)) {
    return { ok: false, errors: [], message: '预览之后单位的上下级有了变化（可能有人刚调整过），为免改错没有导入。请把文件和“/导入”一起重新发送，核对新的预览后再确认。' };
  }
  const plan = await planNewUnits(planned, existing);
  const changes = planned.filter((p) => p.existingId !== undefined && (p.headcount !== null || p.row.code || p.row.contact || p.phone));
  const created = plan.flatMap((generation) => generation.map(({ p }) => p.row.name));
  let updated: string[] = [];
  const at = new Date();
  // All or nothing, as before: every row was checked above, with nothing written; now one
  // transaction writes them all, or (any error) none. How it keeps the event loop free differs:
  // On PostgreSQL the transaction has a connection of its own, so it gives the event loop a turn
  // between batches. On SQLite every query of the process shares one connection, and every other
  // chat's query waits while this transaction holds it (the connection's turns, store/sql.ts), so
  // there a pause would not help: the transaction is kept short instead — the rows are
  // copied into temporary tables beforehand, a batch per turn, and the transaction moves them over in
  // a few statements (100,000 new units: under a second).
  const sqlite = opts.dialect === 'sqlite';
  let staged: Staged | undefined;
  try {
    if (sqlite) staged = await stageSqlite(db, plan, changes);
    await db.$transaction(async (tx) => {
      if (staged) {
        updated = await changeUnitsSqlite(tx, staged, opts.actor, at);
        await addUnitsSqlite(tx, staged, opts.actor, at);
      } else {
        const pause = breather(50);
        updated = await changeUnitsPostgres(tx, changes, opts.actor, at, pause);
        await addUnitsPostgres(tx, plan, opts.actor, at, pause);
      }
      for (const m of moves) {
        const before = await tx.unit.findUniqueOrThrow({ where: { id: m.id } });
        const parent = await tx.unit.findUniqueOrThrow({ where: { name: m.parentName }, select: { id: true } });
        const after = await tx.unit.update({ where: { id: m.id }, data: { parentId: parent.id } });
        await recordChange(tx, opts.actor, 'unit', m.id, 'import-move', pickUnit(before), pickUnit(after)!);
      }
      // New units were written at their depth; only moved subtrees change depth.
      if (moves.length) await recomputeLevels(tx);
      // A unit moved into another federation's tree takes its groups along to that federation's campaign.
      for (const m of moves) await rebindAfterMove(tx, m.id);
    }, { maxWait: 10_000, timeout: 10 * 60_000 });
  } catch (err) {
    // Checked a moment ago, but someone added a unit of the same name meanwhile: nothing was written.
    if (isUniqueViolation(err)) return { ok: false, errors: [], message: '导入过程中单位名单有了变化（可能有人刚添加了同名单位），为免出错没有导入。请把文件和“/导入”一起重新发送。' };
    if (err instanceof StagingLost) return { ok: false, errors: [], message: '导入没有完成，什么都没有写入。请把文件和“/导入”一起重新发送。' };
    throw err;
  } finally {
    await unstage(db, staged);
  }
  return { ok: true, created, updated, moved: shown, skipped: read.skipped, warnings };
}

/**
 * The new units in the order they can be written: generation 0 sits under an existing unit (or at
 * the top), generation n under one of generation n − 1; with the depth each will have.
 */
async function planNewUnits(planned: PlannedUnit[], existing: Map<string, ExistingUnit>): Promise<{ p: PlannedUnit; level: number }[][]> {
  const fresh = new Map(planned.filter((p) => p.existingId === undefined).map((p) => [p.row.name, p]));
  const placed = new Map<string, { generation: number; level: number }>();
  const breathe = breather();
  for (const p of fresh.values()) {
    await breathe();
    // Up to the nearest ancestor already placed or already in the database, then back down. The
    // check has ruled out loops and missing parents.
    const chain: PlannedUnit[] = [];
    let base = { generation: -1, level: 0 };
    for (let at: PlannedUnit | undefined = p; at; ) {
      const known = placed.get(at.row.name);
      if (known) {
        base = known;
        break;
      }
      chain.push(at);
      const parent = at.row.parent;
      if (!parent) break;
      const next = fresh.get(parent);
      if (!next) {
        base = { generation: -1, level: existing.get(parent)?.level ?? 0 };
        break;
      }
      at = next;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      base = { generation: base.generation + 1, level: base.level + 1 };
      placed.set(chain[i].row.name, base);
    }
  }
  const generations: { p: PlannedUnit; level: number }[][] = [];
  for (const p of fresh.values()) {
    const { generation, level } = placed.get(p.row.name)!;
    (generations[generation] ??= []).push({ p, level });
  }
  return generations;
}

type Generations = Awaited<ReturnType<typeof planNewUnits>>;

/** What an existing unit's row may change (null: the file leaves it as it is). */
const changeOf = (p: PlannedUnit) => ({ headcount: p.headcount, code: p.row.code || null, contactName: p.row.contact || null, contactPhone: p.phone });

/** The revision columns that say who imported. */
const actorColumns = (a: Actor) => [a.platform, a.userId, a.userName, a.eventId ?? null] as const;

/**
 * PostgreSQL: 职工数, 代码 and 联系人 of units already there, where the file changes them — a batch per
 * statement (a row at a time, 100,000 changes took minutes and held every changed unit's row lock as
 * long), with a turn of the event loop between batches. Only the values the file gives are set; each
 * changed unit's revision holds its values before and after, as JSON.stringify writes them.
 */
async function changeUnitsPostgres(tx: Tx, changes: PlannedUnit[], actor: Actor, at: Date, pause: () => Promise<void> | undefined): Promise<string[]> {
  const updated: string[] = [];
  for (let i = 0; i < changes.length; i += BATCH) {
    await pause();
    const slice = changes.slice(i, i + BATCH);
    const before = new Map((await tx.unit.findMany({ where: { id: { in: slice.map((p) => p.existingId!) } } })).map((u) => [u.id, u]));
    const batch: unknown[][] = [];
    for (const p of slice) {
      const unit = before.get(p.existingId!);
      const change = changeOf(p);
      if (!unit || !Object.entries(change).some(([k, v]) => v !== null && (unit as Record<string, unknown>)[k] !== v)) continue;
      batch.push([unit.id, ...Object.values(change)]);
      updated.push(p.row.name);
    }
    if (!batch.length) continue;
    const after = await tx.$queryRawUnsafe<(NonNullable<Parameters<typeof pickUnit>[0]> & { id: number })[]>(
      `UPDATE "Unit" u SET "headcount" = coalesce((x.value->>1)::int, u."headcount"), "code" = coalesce(x.value->>2, u."code"),
              "contactName" = coalesce(x.value->>3, u."contactName"), "contactPhone" = coalesce(x.value->>4, u."contactPhone")
       FROM json_array_elements(convert_from($1, 'UTF8')::json) AS x(value) WHERE u."id" = (x.value->>0)::int
       RETURNING u."id", u."name", u."parentId", u."headcount", u."code", u."contactName", u."contactPhone"`,
      Buffer.from(JSON.stringify(batch)),
    );
    const revisions = after.sort((a, b) => a.id - b.id).map((u) => [u.id, JSON.stringify({ ...IMPORT_ACTOR_NOTE, ...pickUnit(before.get(u.id)!) }), JSON.stringify(pickUnit(u))]);
    await tx.$executeRawUnsafe(
      `INSERT INTO "Revision" ("entity", "entityId", "version", "action", "actorPlatform", "actorUserId", "actorName", "sourceMessageId", "previousValues", "newValues", "createdAt")
       SELECT 'unit', (x.value->>0)::int, 1 + (SELECT count(*) FROM "Revision" r WHERE r."entity" = 'unit' AND r."entityId" = (x.value->>0)::int), 'import-set',
              $1, $2, $3, $4, x.value->>1, x.value->>2, $5::timestamp(3)
       FROM json_array_elements(convert_from($6, 'UTF8')::json) WITH ORDINALITY AS x(value, ord) ORDER BY x.ord`,
      ...actorColumns(actor), at, Buffer.from(JSON.stringify(revisions)),
    );
  }
  return updated;
}

/**
 * PostgreSQL: the new units a batch per statement, the batch's rows handed over as one JSON parameter
 * (Prisma's createMany spends half a millisecond per row), with a turn of the event loop between
 * batches; each batch's revisions are written from the ids and values it returns, as JSON.stringify
 * writes them elsewhere.
 */
async function addUnitsPostgres(tx: Tx, plan: Generations, actor: Actor, at: Date, pause: () => Promise<void> | undefined): Promise<void> {
  for (const generation of plan) {
    for (let i = 0; i < generation.length; i += BATCH) {
      await pause();
      const batch = generation.slice(i, i + BATCH).map(({ p, level }) => [p.row.name, level, p.row.parent || null, ...Object.values(changeOf(p))]);
      const made = await tx.$queryRawUnsafe<(NonNullable<Parameters<typeof pickUnit>[0]> & { id: number })[]>(
        `INSERT INTO "Unit" ("name", "level", "parentId", "headcount", "code", "contactName", "contactPhone", "createdAt")
         SELECT x.value->>0, (x.value->>1)::int, (SELECT p."id" FROM "Unit" p WHERE p."name" = x.value->>2), (x.value->>3)::int, x.value->>4, x.value->>5, x.value->>6, $1::timestamp(3)
         FROM json_array_elements(convert_from($2, 'UTF8')::json) WITH ORDINALITY AS x(value, ord) ORDER BY x.ord
         RETURNING "id", "name", "parentId", "headcount", "code", "contactName", "contactPhone"`,
        at, Buffer.from(JSON.stringify(batch)),
      );
      made.sort((a, b) => a.id - b.id);
      const revisions = made.map((u) => [u.id, JSON.stringify({ ...IMPORT_ACTOR_NOTE, ...pickUnit(u) })]);
      await tx.$executeRawUnsafe(
        `INSERT INTO "Revision" ("entity", "entityId", "version", "action", "actorPlatform", "actorUserId", "actorName", "sourceMessageId", "previousValues", "newValues", "createdAt")
         SELECT 'unit', (x.value->>0)::int, 1 + (SELECT count(*) FROM "Revision" r WHERE r."entity" = 'unit' AND r."entityId" = (x.value->>0)::int), 'import-add',
                $1, $2, $3, $4, NULL, x.value->>1, $5::timestamp(3)
         FROM json_array_elements(convert_from($6, 'UTF8')::json) WITH ORDINALITY AS x(value, ord) ORDER BY x.ord`,
        ...actorColumns(actor), at, Buffer.from(JSON.stringify(revisions)),
      );
    }
  }
}

interface Staged {
  /** New units: generation, name, level, parent's name and the values. */
  units: string;
  unitRows: number;
  generations: number;
  /** Existing units' values from the file, by id. */
  changes: string;
  changeRows: PlannedUnit[];
}

/**
 * SQLite, before the transaction: the rows to write copied into two temporary tables of this
 * connection, a batch per turn of the event loop, so the transaction only moves rows from table to
 * table. Handing 100,000 rows to SQLite through Prisma costs over a second of the main thread; here
 * that is spread over many turns, and other chats are answered in between. The tables are private
 * to this import (and gone if the process stops); the real tables are not touched.
 */
async function stageSqlite(db: Db, plan: Generations, changes: PlannedUnit[]): Promise<Staged> {
  const tag = randomBytes(6).toString('hex');
  const staged: Staged = { units: `saiwu_import_units_${tag}`, unitRows: 0, generations: plan.length, changes: `saiwu_import_changes_${tag}`, changeRows: changes };
  await db.$executeRawUnsafe(`CREATE TEMP TABLE "${staged.units}" ("ord" INTEGER PRIMARY KEY, "generation" INTEGER NOT NULL, "name" TEXT NOT NULL, "level" INTEGER NOT NULL, "parent" TEXT, "headcount" INTEGER, "code" TEXT, "contactName" TEXT, "contactPhone" TEXT)`);
  await db.$executeRawUnsafe(`CREATE TEMP TABLE "${staged.changes}" ("ord" INTEGER PRIMARY KEY, "id" INTEGER NOT NULL, "headcount" INTEGER, "code" TEXT, "contactName" TEXT, "contactPhone" TEXT)`);
  const units = plan.flatMap((generation, g) => generation.map(({ p, level }) => [g, p.row.name, level, p.row.parent || null, ...Object.values(changeOf(p))]));
  staged.unitRows = units.length;
  await stageRows(db, staged.units, ['generation', 'name', 'level', 'parent', 'headcount', 'code', 'contactName', 'contactPhone'], units);
  await stageRows(db, staged.changes, ['id', 'headcount', 'code', 'contactName', 'contactPhone'], changes.map((p) => [p.existingId!, ...Object.values(changeOf(p))]));
  return staged;
}

/** Rows into a temporary table, numbered from 0 in "ord": a batch per turn, each as one JSON parameter (bytes: Prisma passes those on faster than a string). */
async function stageRows(db: Db, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    if (i) await nextTurn();
    const batch = Buffer.from(JSON.stringify(rows.slice(i, i + BATCH).map((r, k) => [i + k, ...r])));
    await db.$executeRawUnsafe(
      `INSERT INTO temp."${table}" ("ord", ${columns.map((c) => `"${c}"`).join(', ')})
       SELECT ${['ord', ...columns].map((_, k) => `json_extract(j.value, '$[${k}]')`).join(', ')} FROM json_each(CAST(? AS TEXT)) j`,
      batch,
    );
  }
}

/** The temporary tables go when the import is done, written or not. */
async function unstage(db: Db, staged: Staged | undefined): Promise<void> {
  if (!staged) return;
  for (const table of [staged.units, staged.changes]) await db.$executeRawUnsafe(`DROP TABLE IF EXISTS temp."${table}"`).catch(() => undefined);
}

/**
 * Staged rows went missing (a batch undone with another chat's rolled-back transaction, which the
 * connection's turns in store/sql.ts now prevent; kept as a check): the import then writes nothing.
 */
class StagingLost extends Error {}

async function stagedCount(tx: Tx, table: string, expected: number): Promise<void> {
  const [{ n }] = await tx.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT count(*) AS "n" FROM temp."${table}"`);
  if (Number(n) !== expected) throw new StagingLost(`${table}: ${n} of ${expected} rows`);
}

/** A staged change that differs from the unit as it is (a value the file leaves empty changes nothing). */
const CHANGED = ['headcount', 'code', 'contactName', 'contactPhone'].map((c) => `(c."${c}" IS NOT NULL AND c."${c}" IS NOT u."${c}")`).join(' OR ');

/**
 * SQLite, in the transaction: the staged changes to existing units, each unit's revision first (its
 * values before and after, as JSON.stringify writes them), then the units. Returns the names of the
 * units changed, in file order.
 */
async function changeUnitsSqlite(tx: Tx, staged: Staged, actor: Actor, at: Date): Promise<string[]> {
  if (!staged.changeRows.length) return [];
  await stagedCount(tx, staged.changes, staged.changeRows.length);
  const from = `FROM temp."${staged.changes}" c JOIN "Unit" u ON u."id" = c."id" WHERE ${CHANGED}`;
  const changed = await tx.$queryRawUnsafe<{ ord: number | bigint }[]>(`SELECT c."ord" AS "ord" ${from} ORDER BY c."ord"`);
  if (!changed.length) return [];
  const picked = (v: (c: string) => string) => `'name', u."name", 'parentId', u."parentId", ${['headcount', 'code', 'contactName', 'contactPhone'].map((c) => `'${c}', ${v(c)}`).join(', ')}`;
  await tx.$executeRawUnsafe(
    `INSERT INTO "Revision" ("entity", "entityId", "version", "action", "actorPlatform", "actorUserId", "actorName", "sourceMessageId", "previousValues", "newValues", "createdAt")
     SELECT 'unit', u."id", 1 + (SELECT count(*) FROM "Revision" r WHERE r."entity" = 'unit' AND r."entityId" = u."id"), 'import-set', ?, ?, ?, ?,
            json_object('via', ?, ${picked((c) => `u."${c}"`)}), json_object(${picked((c) => `coalesce(c."${c}", u."${c}")`)}), ?
     ${from} ORDER BY c."ord"`,
    ...actorColumns(actor), IMPORT_ACTOR_NOTE.via, at,
  );
  await tx.$executeRawUnsafe(
    `UPDATE "Unit" AS u SET ${['headcount', 'code', 'contactName', 'contactPhone'].map((c) => `"${c}" = coalesce(c."${c}", u."${c}")`).join(', ')}
     FROM temp."${staged.changes}" c WHERE u."id" = c."id" AND (${CHANGED})`,
  );
  return changed.map(({ ord }) => staged.changeRows[Number(ord)].row.name);
}

/**
 * SQLite, in the transaction: the staged new units, one INSERT … SELECT per generation (parents
 * found by name, so a parent written a generation before is found too); then the revisions of every
 * unit above the highest id before, in one more statement, with the values as written — the JSON
 * JSON.stringify would give, same keys in the same order. Nothing else writes in between: the
 * transaction has the connection until it commits.
 */
async function addUnitsSqlite(tx: Tx, staged: Staged, actor: Actor, at: Date): Promise<void> {
  if (!staged.unitRows) return;
  await stagedCount(tx, staged.units, staged.unitRows);
  const [{ last }] = await tx.$queryRawUnsafe<{ last: number | bigint | null }[]>('SELECT max("id") AS "last" FROM "Unit"');
  for (let g = 0; g < staged.generations; g++) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Unit" ("name", "level", "parentId", "headcount", "code", "contactName", "contactPhone", "createdAt")
       SELECT s."name", s."level", (SELECT p."id" FROM "Unit" p WHERE p."name" = s."parent"), s."headcount", s."code", s."contactName", s."contactPhone", ?
       FROM temp."${staged.units}" s WHERE s."generation" = ? ORDER BY s."ord"`,
      at, g,
    );
  }
  await tx.$executeRawUnsafe(
    `INSERT INTO "Revision" ("entity", "entityId", "version", "action", "actorPlatform", "actorUserId", "actorName", "sourceMessageId", "previousValues", "newValues", "createdAt")
     SELECT 'unit', u."id", 1 + (SELECT count(*) FROM "Revision" r WHERE r."entity" = 'unit' AND r."entityId" = u."id"), 'import-add', ?, ?, ?, ?, NULL,
            json_object('via', ?, 'name', u."name", 'parentId', u."parentId", 'headcount', u."headcount", 'code', u."code", 'contactName', u."contactName", 'contactPhone', u."contactPhone"), ?
     FROM "Unit" u WHERE u."id" > ? ORDER BY u."id"`,
    ...actorColumns(actor), IMPORT_ACTOR_NOTE.via, at, Number(last ?? 0),
  );
}

/** A unique index refused a row: P2002 from Prisma's own queries, P2010 with the driver's words from raw SQL. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'P2002' || (e.code === 'P2010' && /UNIQUE constraint failed|duplicate key value/i.test(e.message ?? ''));
}

function pickUnit(u: { name: string; parentId: number | null; headcount: number | null; code: string | null; contactName: string | null; contactPhone: string | null } | null) {
  return u ? { name: u.name, parentId: u.parentId, headcount: u.headcount, code: u.code, contactName: u.contactName, contactPhone: u.contactPhone } : null;
}
