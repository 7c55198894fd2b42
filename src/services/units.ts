// The union hierarchy: federation → street/park/industry union → enterprise union.
import type { Db, Tx } from '../db/client.js';
import type { Unit } from '../generated/sqlite/index.js';

export const LEVEL_NAMES: Record<number, string> = { 1: '总工会', 2: '街道/园区/产业工会', 3: '企业工会' };

export function findUnitByName(db: Db | Tx, name: string): Promise<Unit | null> {
  return db.unit.findUnique({ where: { name: name.trim() } });
}

/** All units below `rootId` (not including it), breadth first. */
export async function descendantsOf(db: Db | Tx, rootId: number): Promise<Unit[]> {
  const all = await db.unit.findMany({ orderBy: { id: 'asc' } });
  const byParent = new Map<number, Unit[]>();
  for (const u of all) {
    if (u.parentId === null) continue;
    const list = byParent.get(u.parentId) ?? [];
    list.push(u);
    byParent.set(u.parentId, list);
  }
  const out: Unit[] = [];
  const queue = [...(byParent.get(rootId) ?? [])];
  while (queue.length) {
    const u = queue.shift()!;
    out.push(u);
    queue.push(...(byParent.get(u.id) ?? []));
  }
  return out;
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
    if (!parent) return { ok: false, message: `上级单位「${input.parentName}」不存在，请先添加它，或检查名称是否完全一致` };
    if (parent.level >= 3) return { ok: false, message: `「${parent.name}」是企业工会，不能再设下级单位` };
  }
  const unit = await db.unit.create({
    data: { name, level: parent ? parent.level + 1 : 1, parentId: parent?.id ?? null, headcount: input.headcount ?? null, code: input.code ?? null },
  });
  return { ok: true, unit };
}
