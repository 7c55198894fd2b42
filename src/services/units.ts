// The union hierarchy: federation → street/park/industry union → enterprise union.
import type { Db, Tx } from '../db/client.js';
import type { Unit } from '../generated/sqlite/index.js';

export const LEVEL_NAMES: Record<number, string> = { 1: '总工会', 2: '街道/园区/产业工会', 3: '企业工会' };

export function findUnitByName(db: Db | Tx, name: string): Promise<Unit | null> {
  return db.unit.findUnique({ where: { name: name.trim() } });
}

/**
 * All units below `rootId` (not including it), each followed by its own sub-units (as a tree reads);
 * with null, every unit, top-level ones first in each branch.
 */
export async function descendantsOf(db: Db | Tx, rootId: number | null): Promise<Unit[]> {
  const byParent = groupByParent(await db.unit.findMany({ orderBy: { id: 'asc' } }));
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
 * Units whose name contains what was typed (or the other way round), for "did you mean" after a
 * name that matched nothing: people type 东城 for 东城街道工会.
 */
export async function similarUnitNames(db: Db | Tx, typed: string, within?: number): Promise<string[]> {
  const q = typed.trim();
  if (!q) return [];
  const pool = within === undefined ? await db.unit.findMany({ orderBy: { id: 'asc' } }) : await descendantsOf(db, within);
  return pool.filter((u) => u.name.includes(q) || (q.length >= 4 && q.includes(u.name))).slice(0, 5).map((u) => u.name);
}

export function childrenOf(db: Db | Tx, parentId: number): Promise<Unit[]> {
  return db.unit.findMany({ where: { parentId }, orderBy: { id: 'asc' } });
}

/** True when `unitId` is `ancestorId` or lies below it. */
export async function isWithin(db: Db | Tx, unitId: number, ancestorId: number): Promise<boolean> {
  let current: number | null = unitId;
  for (let hops = 0; current !== null && hops < 20; hops++) {
    if (current === ancestorId) return true;
    const unit: { parentId: number | null } | null = await db.unit.findUnique({ where: { id: current }, select: { parentId: true } });
    current = unit?.parentId ?? null;
  }
  return false;
}

export interface AddUnitInput {
  name: string;
  parentName?: string;
  headcount?: number;
  code?: string;
}

export type AddUnitResult = { ok: true; unit: Unit } | { ok: false; message: string };

export async function addUnit(db: Db, input: AddUnitInput): Promise<AddUnitResult> {
  const name = input.name.trim();
  if (!name) return { ok: false, message: '请写单位名称，例如：/unit add 东城街道工会 上级=某某区总工会 职工数=1200' };
  if ([...name].length > 60) return { ok: false, message: '单位名称太长，请控制在 60 字以内' };
  if (await findUnitByName(db, name)) return { ok: false, message: `单位「${name}」已经存在` };
  let parent: Unit | null = null;
  if (input.parentName) {
    parent = await findUnitByName(db, input.parentName);
    if (!parent) {
      const similar = await similarUnitNames(db, input.parentName);
      const guess = similar.length ? `您要找的是不是：${similar.join('、')}？` : '';
      return { ok: false, message: `上级单位「${input.parentName}」不存在。${guess}请检查名称是否完全一致，或先添加它` };
    }
    if (parent.level >= 3) return { ok: false, message: `「${parent.name}」是企业工会，不能再设下级单位` };
  }
  const unit = await db.unit.create({
    data: { name, level: parent ? parent.level + 1 : 1, parentId: parent?.id ?? null, headcount: input.headcount ?? null, code: input.code ?? null },
  });
  return { ok: true, unit };
}
