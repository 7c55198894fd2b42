// The union hierarchy: federation → street/park/industry union → enterprise union → branch unions,
// as deep as an organisation goes. Every change (add, rename, move, set, remove, restore) is a row in
// the revision log and can be undone with the opposite command; "remove" archives, never deletes.
import type { Db, Tx } from '../store/client.js';
import { inChunks, inTransaction } from '../store/client.js';
import type { Unit } from '../store/models.js';
import { recordChange, type Actor } from './members.js';
import { stripInvisible, toHalfWidth, unsafeCharacters } from '../forms/coerce.js';

export const LEVEL_NAMES: Record<number, string> = { 1: '总工会', 2: '街道/园区/产业工会', 3: '企业工会' };

/** What a unit at this depth is usually called ("分工会" below an enterprise union). */
export function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? '分工会/基层工会';
}

/** A mainland mobile number, or a landline with its area code (spaces and dashes dropped). */
export function checkPhone(raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const s = toHalfWidth(raw).replace(/[\s-]/g, '');
  if (/^1[3-9]\d{9}$/.test(s) || /^0\d{9,11}$/.test(s)) return { ok: true, value: s };
  return { ok: false, message: `手机号“${raw}”不对，请写11位手机号（如 13800138000）或带区号的固定电话（如 010-12345678）` };
}

/** Words that mean "no parent" in 上级=. */
export const NO_PARENT = ['无', '没有', '顶级', '（无）', '(无)', '-'];

/** Any unit by exact name, archived ones included (so they can be restored, and their names stay taken). */
export function findUnitByName(db: Db | Tx, name: string): Promise<Unit | null> {
  return db.unit.findUnique({ where: { name: name.trim() } });
}

/** Every unit that is not archived, in id order. */
export function activeUnits(db: Db | Tx): Promise<Unit[]> {
  return db.unit.findMany({ where: { archivedAt: null }, orderBy: { id: 'asc' } });
}

/**
 * All active units below `rootId` (not including it), each followed by its own sub-units (as a tree
 * reads); with null, every active unit, top-level ones first in each branch.
 */
export async function descendantsOf(db: Db | Tx, rootId: number | null): Promise<Unit[]> {
  const byParent = groupByParent(await activeUnits(db));
  const out: Unit[] = [];
  const stack = [...(byParent.get(rootId) ?? [])].reverse();
  while (stack.length) {
    const u = stack.pop()!;
    out.push(u);
    stack.push(...[...(byParent.get(u.id) ?? [])].reverse());
  }
  return out;
}

/** The units under each parent id (null: the top-level ones), in the order given. Every walk of
 * the unit tree starts from this index. */
export function groupByParent<T extends { parentId: number | null }>(units: T[]): Map<number | null, T[]> {
  const byParent = new Map<number | null, T[]>();
  for (const u of units) {
    const list = byParent.get(u.parentId);
    if (list) list.push(u);
    else byParent.set(u.parentId, [u]);
  }
  return byParent;
}

/**
 * Active units whose name contains what was typed (or the other way round), for "did you mean" after
 * a name that matched nothing: people type 东城 for 东城街道工会.
 */
export async function similarUnitNames(db: Db | Tx, typed: string, within?: number): Promise<string[]> {
  if (!typed.trim()) return [];
  const pool = within === undefined ? await activeUnits(db) : await descendantsOf(db, within);
  return namesLike(typed, pool.map((u) => u.name));
}

/**
 * Of `names`, those that contain what was typed or are contained in it (东城 → 东城街道工会), at most
 * five. Not a spelling distance: unit names share their endings (街道工会), so 南城街道 would be
 * "close" to every street.
 */
export function namesLike(typed: string, names: Iterable<string>): string[] {
  const q = typed.trim();
  if (!q) return [];
  const out: string[] = [];
  for (const name of names) {
    if (name !== q && (name.includes(q) || (q.length >= 4 && q.includes(name)))) out.push(name);
    if (out.length === 5) break;
  }
  return out;
}

export function childrenOf(db: Db | Tx, parentId: number): Promise<Unit[]> {
  return db.unit.findMany({ where: { parentId, archivedAt: null }, orderBy: { id: 'asc' } });
}

/** True when `unitId` is `ancestorId` or lies below it. */
export async function isWithin(db: Db | Tx, unitId: number, ancestorId: number): Promise<boolean> {
  let current: number | null = unitId;
  for (let hops = 0; current !== null && hops < 100; hops++) {
    if (current === ancestorId) return true;
    const unit: { parentId: number | null } | null = await db.unit.findUnique({ where: { id: current }, select: { parentId: true } });
    current = unit?.parentId ?? null;
  }
  return false;
}

export type UnitResult = { ok: true; unit: Unit; note?: string; before?: Unit } | { ok: false; message: string };

const snapshot = (u: Unit) => ({ name: u.name, parentId: u.parentId, level: u.level, headcount: u.headcount, code: u.code, contactName: u.contactName, contactPhone: u.contactPhone, archived: u.archivedAt !== null });

/** Why a unit name cannot be used, or null. Names are typed in commands, so no spaces or hidden characters. */
export function checkName(name: string): string | null {
  if (!name) return '请写单位名称';
  if ([...name].length > 60) return '单位名称太长，请控制在 60 字以内';
  if (/\s/.test(name)) return '单位名称中不要有空格';
  if (stripInvisible(name) !== name || unsafeCharacters(name)) return '单位名称中有看不见的字符（可能是从网页或文档复制带来的），请直接重新打字';
  if (NO_PARENT.includes(name)) return `「${name}」在“上级=”里表示没有上级，不能用作单位名称`;
  return null;
}

async function missingUnit(db: Db | Tx, name: string, what = '单位'): Promise<string> {
  const similar = await similarUnitNames(db, name);
  return `${what}「${name}」不存在。${similar.length ? `您要找的是不是：${similar.join('、')}？` : ''}请检查名称是否完全一致（发送“/单位列表”查看）`;
}

export interface AddUnitInput {
  name: string;
  /** The parent's name; null = explicitly top-level (上级=无). */
  parentName: string | null;
  headcount?: number;
  code?: string;
  contactName?: string;
  contactPhone?: string;
}

export async function addUnit(db: Db, input: AddUnitInput, actor: Actor): Promise<UnitResult> {
  const name = input.name.trim();
  const bad = checkName(name);
  if (bad) return { ok: false, message: `${bad}，例如：/单位 添加 东城街道工会 上级=某某区总工会 职工数=1200` };
  const same = await findUnitByName(db, name);
  if (same) return { ok: false, message: same.archivedAt ? `单位「${name}」已存在但已删除（归档）。要恢复它，请发送：/单位 恢复 ${name}` : `单位「${name}」已经存在` };
  let parent: Unit | null = null;
  if (input.parentName !== null) {
    parent = await findUnitByName(db, input.parentName);
    if (!parent) return { ok: false, message: `上级${await missingUnit(db, input.parentName)}，或先添加它` };
    if (parent.archivedAt) return { ok: false, message: `上级单位「${parent.name}」已删除（归档），请先发送“/单位 恢复 ${parent.name}”，或换一个上级` };
  }
  return inTransaction(db, async (tx) => {
    const unit = await tx.unit.create({
      data: { name, level: parent ? parent.level + 1 : 1, parentId: parent?.id ?? null, headcount: input.headcount ?? null, code: input.code ?? null, contactName: input.contactName ?? null, contactPhone: input.contactPhone ?? null },
    });
    await recordChange(tx, actor, 'unit', unit.id, 'add', null, snapshot(unit));
    return { ok: true, unit };
  });
}

export async function renameUnit(db: Db, name: string, newName: string, actor: Actor): Promise<UnitResult> {
  const unit = await findUnitByName(db, name);
  if (!unit) return { ok: false, message: await missingUnit(db, name) };
  const target = newName.trim();
  const bad = checkName(target);
  if (bad) return { ok: false, message: `新名称：${bad}` };
  if (target === unit.name) return { ok: false, message: `「${unit.name}」已经叫这个名字了` };
  const taken = await findUnitByName(db, target);
  if (taken) return { ok: false, message: `已经有单位叫「${target}」${taken.archivedAt ? '（已删除归档）' : ''}，请换一个名称` };
  return inTransaction(db, async (tx) => {
    const updated = await tx.unit.update({ where: { id: unit.id }, data: { name: target } });
    await recordChange(tx, actor, 'unit', unit.id, 'rename', snapshot(unit), snapshot(updated));
    return { ok: true, unit: updated };
  });
}

/** Sets every unit's level to its depth (after moves that may have changed many at once). */
export async function recomputeLevels(db: Db | Tx): Promise<void> {
  const all = await db.unit.findMany({ select: { id: true, parentId: true, level: true } });
  const byParent = groupByParent(all);
  const queue = (byParent.get(null) ?? []).map((u) => ({ u, level: 1 }));
  while (queue.length) {
    const { u, level } = queue.shift()!;
    if (u.level !== level) await db.unit.update({ where: { id: u.id }, data: { level } });
    for (const c of byParent.get(u.id) ?? []) queue.push({ u: c, level: level + 1 });
  }
}

/** The ids of `rootId` and every unit below it (archived ones too: they move with their parent). */
async function subtreeIds(db: Db | Tx, rootId: number): Promise<number[]> {
  const byParent = groupByParent(await db.unit.findMany({ select: { id: true, parentId: true } }));
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    for (const c of byParent.get(id) ?? []) stack.push(c.id);
  }
  return out;
}

/** Moves a unit (with everything under it) under another parent, or to the top with 上级=无. */
export async function moveUnit(db: Db | Tx, name: string, parentName: string | null, actor: Actor): Promise<UnitResult> {
  const unit = await findUnitByName(db, name);
  if (!unit) return { ok: false, message: await missingUnit(db, name) };
  let parent: Unit | null = null;
  if (parentName !== null) {
    parent = await findUnitByName(db, parentName);
    if (!parent) return { ok: false, message: `新的上级${await missingUnit(db, parentName)}` };
    if (parent.archivedAt) return { ok: false, message: `「${parent.name}」已删除（归档），不能作为上级` };
    if (parent.id === unit.id) return { ok: false, message: `「${unit.name}」不能做自己的上级` };
    if (await isWithin(db, parent.id, unit.id)) return { ok: false, message: `「${parent.name}」在「${unit.name}」下面，把「${unit.name}」移到它下面会形成循环。请先把「${parent.name}」移出来` };
  }
  if ((parent?.id ?? null) === unit.parentId) return { ok: false, message: `「${unit.name}」的上级已经是「${parent?.name ?? '无'}」` };
  return inTransaction(db, async (tx) => {
    const shift = (parent ? parent.level + 1 : 1) - unit.level;
    await tx.unit.update({ where: { id: unit.id }, data: { parentId: parent?.id ?? null } });
    // Depths follow: the unit and everything below it move by the same number of levels.
    if (shift !== 0) await inChunks(await subtreeIds(tx, unit.id), async (slice) => [await tx.unit.updateMany({ where: { id: { in: slice } }, data: { level: { increment: shift } } })]);
    const moved = (await tx.unit.findUnique({ where: { id: unit.id } }))!;
    await recordChange(tx, actor, 'unit', unit.id, 'move', snapshot(unit), snapshot(moved));
    const oldParent = unit.parentId === null ? null : await tx.unit.findUnique({ where: { id: unit.parentId } });
    return { ok: true, unit: moved, before: unit, note: oldParent ? oldParent.name : '无' };
  });
}

export interface UnitSettings {
  headcount?: number | null;
  code?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
}

export async function setUnit(db: Db, name: string, settings: UnitSettings, actor: Actor): Promise<UnitResult> {
  const unit = await findUnitByName(db, name);
  if (!unit) return { ok: false, message: await missingUnit(db, name) };
  return inTransaction(db, async (tx) => {
    const updated = await tx.unit.update({ where: { id: unit.id }, data: settings });
    await recordChange(tx, actor, 'unit', unit.id, 'set', snapshot(unit), snapshot(updated));
    return { ok: true, unit: updated, before: unit };
  });
}

/** Archives a unit with nothing active under it; its filings, members and history stay. */
export async function archiveUnit(db: Db, name: string, actor: Actor, now: Date): Promise<UnitResult> {
  const unit = await findUnitByName(db, name);
  if (!unit) return { ok: false, message: await missingUnit(db, name) };
  if (unit.archivedAt) return { ok: false, message: `「${unit.name}」已经删除（归档）了。要恢复，请发送 /单位 恢复 ${unit.name}` };
  const children = await childrenOf(db, unit.id);
  if (children.length) {
    const shown = children.slice(0, 5).map((c) => c.name).join('、');
    return { ok: false, message: `「${unit.name}」下面还有 ${children.length} 个单位（${shown}${children.length > 5 ? '等' : ''}），不能删除。请先发送“/单位 移动 单位名称 上级=…”把它们移到别处，或先删除它们` };
  }
  return inTransaction(db, async (tx) => {
    const updated = await tx.unit.update({ where: { id: unit.id }, data: { archivedAt: now } });
    await recordChange(tx, actor, 'unit', unit.id, 'remove', snapshot(unit), snapshot(updated));
    const bound = await tx.chatBinding.count({ where: { unitId: unit.id } });
    const filers = await tx.member.count({ where: { unitId: unit.id } });
    const kept = [filers ? `${filers} 位联络员的登记` : '', bound ? `${bound} 个群的绑定（这些群暂时按未绑定处理）` : ''].filter(Boolean).join('、');
    return { ok: true, unit: updated, note: kept ? `已保留${kept}。` : undefined };
  });
}

export async function restoreUnit(db: Db, name: string, actor: Actor): Promise<UnitResult> {
  const unit = await findUnitByName(db, name);
  if (!unit) return { ok: false, message: await missingUnit(db, name) };
  if (!unit.archivedAt) return { ok: false, message: `「${unit.name}」没有被删除，无需恢复` };
  if (unit.parentId !== null) {
    const parent = await db.unit.findUnique({ where: { id: unit.parentId } });
    if (parent?.archivedAt) return { ok: false, message: `「${unit.name}」的上级「${parent.name}」也已删除，请先恢复它：/单位 恢复 ${parent.name}` };
  }
  return inTransaction(db, async (tx) => {
    const updated = await tx.unit.update({ where: { id: unit.id }, data: { archivedAt: null } });
    await recordChange(tx, actor, 'unit', unit.id, 'restore', snapshot(unit), snapshot(updated));
    return { ok: true, unit: updated };
  });
}
