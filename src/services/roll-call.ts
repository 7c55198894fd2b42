// Who has filed what. One computation serves /missing, /remind, the reminder jobs, /stats and the
// Excel 未交 sheet.
//
// Which units must file a form is the campaign's scope for it (campaign-settings.ts): every unit
// under the campaign's federation, or only the units directly under it. Plans and summaries roll
// up: a street union counts as having filed when it or any unit below it filed, so it is covered
// whether its cadre files for its enterprises or the enterprises file themselves. The year-end
// report does not: each unit reports for itself, and an enterprise's report is not its street's.
// A late filing is late at every level it rolls up to.
//
// Everything is loaded once per roll-call, as plain SQL rows (several times faster than Prisma's
// for 20,000 units): the unit tree, the members and the reports kept between requests while a probe
// (a few index lookups and counts) says they are unchanged, for at most a minute; the filing counts
// per unit from filing-counts.ts, which keeps them up to date between requests.
import type { Db } from '../store/client.js';
import type { Campaign, Member, Unit } from '../store/models.js';
import { parseCampaignSettings, type FilingScopes } from './campaign-settings.js';
import { campaignRoots, DEADLINE_FORMS, type DeadlineForm } from './campaigns.js';
import { unitFilings } from './filing-counts.js';
import { asDate, truthy } from './raw-sql.js';
import { groupByParent } from './units.js';
import { sql } from '../store/sql.js';

export interface FormStatus {
  /** Filed completely (for summaries: every plan counted here has its summary). */
  filed: boolean;
  /** Some filing counted here arrived after the deadline. */
  late: boolean;
  /** Filings counted (plans, summaries or reports). */
  count: number;
  /** Summaries only: the plans that need one; 0 < count < of is "部分提交 count/of". */
  of: number;
}

export interface UnitRollCall {
  unit: Unit;
  status: Record<DeadlineForm, FormStatus>;
  /** Whether this unit is asked for each form (the campaign's scope, seen from the group). */
  expected: Record<DeadlineForm, boolean>;
  filers: Member[];
  /** The group's own unit (listed with the units below it when it files itself). */
  self?: boolean;
  /** The name of the unit above it (groupRollCall sets it; null for a top-level unit). */
  parentName?: string | null;
}

interface UnitFilings {
  plans: number;
  latePlans: number;
  summaries: number;
  lateSummaries: number;
}

interface Snapshot {
  units: Unit[];
  children: Map<number | null, Unit[]>;
  /** Per unit (not including the units below it): counts of its own filings. */
  filings: ReadonlyMap<number, UnitFilings>;
  reportsByUnit: ReadonlyMap<number, { late: boolean }>;
  /** Per form, the units that must file it. */
  expected: Record<DeadlineForm, Set<number>>;
  /** Per unit, its filings with those of every unit below it (filled as asked). */
  rolled: Map<number, UnitFilings>;
  byId: Map<number, Unit>;
  /** Every member registered to a unit (kept between requests). */
  members(): Promise<Member[]>;
}

const ROLLS_UP: Record<DeadlineForm, boolean> = { plan: true, summary: true, report: false };

interface KeptRows {
  probe: string;
  at: number;
  rows: Promise<unknown>;
}
const keptRows = new WeakMap<object, Map<string, KeptRows>>();
/** Kept rows are loaded again after this long even when the probe is unchanged. */
const KEEP_MS = 60_000;

/**
 * Rows kept between requests while their probe (read first, so a change committed during the load
 * shows next time) gives the same answer, and for at most KEEP_MS: that bounds how long a change the
 * probe cannot see (two writers committing out of order on PostgreSQL) could go unnoticed.
 */
function kept<T>(db: Db, key: string, probe: string, load: () => Promise<T>): Promise<T> {
  let byKey = keptRows.get(db);
  if (!byKey) keptRows.set(db, (byKey = new Map()));
  const entry = byKey.get(key);
  if (entry && entry.probe === probe && Date.now() - entry.at < KEEP_MS) return entry.rows as Promise<T>;
  const rows = load();
  byKey.set(key, { probe, at: Date.now(), rows });
  rows.catch(() => byKey.delete(key));
  return rows;
}

// What changes the kept rows, in one query (a few index lookups and counts): units — every change
// of a unit is made with a 'unit' revision (units.ts, roster-import.ts; levels are recomputed in the
// move's transaction) and a new unit has a new id; members and reports — a change stamps updatedAt.
const UNIT_PROBE = ['unitMax', 'unitsActive', 'unitChanges'];
const MEMBER_PROBE = ['memberMax', 'memberStamp', 'members'];
const REPORT_PROBE = ['reportMax', 'reportStamp', 'reports'];

/** The kept unit tree, members and the campaign's reports, checked by one probe. Read them, never change them. */
export interface KeptTables {
  units(): Promise<Unit[]>;
  members(): Promise<Member[]>;
  reports(): Promise<ReadonlyMap<number, { late: boolean }>>;
}

export async function keptTables(db: Db, campaignId: number): Promise<KeptTables> {
  const [p] = await sql(db)<Record<string, unknown>>`
    SELECT (SELECT MAX("id") FROM "Unit") AS "unitMax", (SELECT COUNT(*) FROM "Unit" WHERE "archivedAt" IS NULL) AS "unitsActive",
      (SELECT MAX("id") FROM "Revision" WHERE "entity" = 'unit') AS "unitChanges",
      (SELECT MAX("id") FROM "Member") AS "memberMax", (SELECT MAX("updatedAt") FROM "Member") AS "memberStamp", (SELECT COUNT(*) FROM "Member") AS "members",
      (SELECT MAX("id") FROM "YearReport" WHERE "campaignId" = ${campaignId}) AS "reportMax",
      (SELECT MAX("updatedAt") FROM "YearReport" WHERE "campaignId" = ${campaignId}) AS "reportStamp",
      (SELECT COUNT(*) FROM "YearReport" WHERE "campaignId" = ${campaignId}) AS "reports"`;
  const probe = (keys: string[]) => keys.map((k) => String(p[k] instanceof Date ? (p[k] as Date).getTime() : p[k])).join('|');
  return {
    units: () => kept(db, 'units', probe(UNIT_PROBE), () => loadUnits(db)),
    members: () => kept(db, 'members', probe(MEMBER_PROBE), () => loadMembers(db)),
    reports: () => kept(db, `reports:${campaignId}`, probe(REPORT_PROBE), () => loadReports(db, campaignId)),
  };
}

/** The active units in id order, shared between requests (read them, never change them). */
export async function activeUnits(db: Db): Promise<Unit[]> {
  const [p] = await sql(db)<Record<string, unknown>>`
    SELECT (SELECT MAX("id") FROM "Unit") AS "unitMax", (SELECT COUNT(*) FROM "Unit" WHERE "archivedAt" IS NULL) AS "unitsActive",
      (SELECT MAX("id") FROM "Revision" WHERE "entity" = 'unit') AS "unitChanges"`;
  return kept(db, 'units', UNIT_PROBE.map((k) => String(p[k])).join('|'), () => loadUnits(db));
}

async function loadUnits(db: Db): Promise<Unit[]> {
  const rows = await sql(db)<Record<string, unknown>>`
    SELECT "id", "name", "code", "level", "parentId", "headcount", "contactName", "contactPhone", "createdAt"
    FROM "Unit" WHERE "archivedAt" IS NULL ORDER BY "id"`;
  const text = (v: unknown) => (v == null ? null : String(v));
  const int = (v: unknown) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    id: Number(r.id), name: String(r.name), code: text(r.code), level: Number(r.level), parentId: int(r.parentId), headcount: int(r.headcount),
    contactName: text(r.contactName), contactPhone: text(r.contactPhone), archivedAt: null, createdAt: asDate(r.createdAt) ?? new Date(0),
  }));
}

/** What a unit tree gives every roll-call, worked out once per tree (the kept one is the same object while unchanged). */
const treeFacts = new WeakMap<Unit[], { children: Map<number | null, Unit[]>; byId: Map<number, Unit>; expected: Map<string, Record<DeadlineForm, Set<number>>> }>();

async function loadSnapshot(db: Db, campaign: Campaign): Promise<Snapshot> {
  const tables = await keptTables(db, campaign.id);
  const [units, filings, reportsByUnit, roots] = await Promise.all([tables.units(), unitFilings(db, campaign.id), tables.reports(), campaignRoots(db, campaign)]);
  let facts = treeFacts.get(units);
  if (!facts) treeFacts.set(units, (facts = { children: groupByParent(units), byId: new Map(units.map((u) => [u.id, u])), expected: new Map() }));
  const scopes = parseCampaignSettings(campaign.settings).scopes;
  const key = JSON.stringify([roots, scopes]);
  let expected = facts.expected.get(key);
  if (!expected) facts.expected.set(key, (expected = expectedSets(facts.children, roots, scopes)));
  return { units, children: facts.children, byId: facts.byId, filings, reportsByUnit, expected, rolled: new Map(), members: tables.members };
}

/** The campaign's year-end reports (not withdrawn) by unit, shared between requests (read only). */
export async function yearReports(db: Db, campaignId: number): Promise<ReadonlyMap<number, { late: boolean }>> {
  return (await keptTables(db, campaignId)).reports();
}

async function loadReports(db: Db, campaignId: number): Promise<ReadonlyMap<number, { late: boolean }>> {
  const rows = await sql(db)<Record<string, unknown>>`
    SELECT "unitId", "late" FROM "YearReport" WHERE "campaignId" = ${campaignId} AND "withdrawnAt" IS NULL`;
  return new Map(rows.map((r) => [Number(r.unitId), { late: truthy(r.late) }]));
}

/** Per form: 'direct' = the roots' children; 'all' = every unit below the roots. */
function expectedSets(children: Map<number | null, { id: number }[]>, roots: number[], scopes: FilingScopes): Record<DeadlineForm, Set<number>> {
  const direct = new Set<number>();
  const all = new Set<number>();
  for (const root of roots) {
    for (const c of children.get(root) ?? []) direct.add(c.id);
    const stack = [...(children.get(root) ?? [])];
    while (stack.length) {
      const u = stack.pop()!;
      all.add(u.id);
      stack.push(...(children.get(u.id) ?? []));
    }
  }
  const pick = (form: DeadlineForm) => (scopes[form] === 'all' ? all : direct);
  return { plan: pick('plan'), summary: pick('summary'), report: pick('report') };
}

/** Per form, the units a campaign asks for it (its scope), from a unit tree the caller has loaded. */
export function askedSets(units: { id: number; parentId: number | null }[], roots: number[], campaign: Campaign): Record<DeadlineForm, Set<number>> {
  return expectedSets(groupByParent(units), roots, parseCampaignSettings(campaign.settings).scopes);
}

/** The units a campaign asks for `form` (its scope), for callers outside the roll-call. */
export async function askedUnits(db: Db, campaign: Campaign, form: DeadlineForm): Promise<Set<number>> {
  const [units, roots] = await Promise.all([activeUnits(db), campaignRoots(db, campaign)]);
  return askedSets(units, roots, campaign)[form];
}

/** Which forms the campaign asks of one unit. */
export async function askedUnitForms(db: Db, campaign: Campaign, unitId: number): Promise<Record<DeadlineForm, boolean>> {
  const [units, roots] = await Promise.all([activeUnits(db), campaignRoots(db, campaign)]);
  const sets = askedSets(units, roots, campaign);
  return { plan: sets.plan.has(unitId), summary: sets.summary.has(unitId), report: sets.report.has(unitId) };
}

function subtree(s: Snapshot, rootId: number): number[] {
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    for (const child of s.children.get(id) ?? []) stack.push(child.id);
  }
  return out;
}

/** The unit and every unit below it in tree order (each unit before the units under it). */
function preorder(s: Snapshot, rootId: number): number[] {
  const out: number[] = [];
  const visit = (id: number) => {
    out.push(id);
    for (const c of s.children.get(id) ?? []) visit(c.id);
  };
  visit(rootId);
  return out;
}

/** A unit's status; `own` counts only its own filings (its units below have rows of their own). */
function statusOf(s: Snapshot, unitId: number, own: Record<DeadlineForm, boolean> = { plan: false, summary: false, report: true }): Record<DeadlineForm, FormStatus> {
  const rolled = rolledUp(s, unitId);
  const self = tally(s, [unitId]);
  const report = s.reportsByUnit.get(unitId);
  const plans = own.plan ? self : rolled;
  const summaries = own.summary ? self : rolled;
  return {
    plan: { filed: plans.plans > 0, late: plans.latePlans > 0, count: plans.plans, of: 0 },
    // Every plan needs its summary; a unit with no plan has nothing to summarise and counts as missing.
    summary: { filed: summaries.plans > 0 && summaries.summaries === summaries.plans, late: summaries.lateSummaries > 0, count: summaries.summaries, of: summaries.plans },
    report: { filed: Boolean(report), late: Boolean(report?.late), count: report ? 1 : 0, of: 0 },
  };
}

/** The unit's filings with those of every unit below it, each unit summed once per snapshot. */
function rolledUp(s: Snapshot, unitId: number): UnitFilings {
  let total = s.rolled.get(unitId);
  if (total) return total;
  total = tally(s, [unitId]);
  for (const child of s.children.get(unitId) ?? []) {
    const below = rolledUp(s, child.id);
    total.plans += below.plans;
    total.latePlans += below.latePlans;
    total.summaries += below.summaries;
    total.lateSummaries += below.lateSummaries;
  }
  s.rolled.set(unitId, total);
  return total;
}

function tally(s: Snapshot, ids: number[]): UnitFilings {
  const total: UnitFilings = { plans: 0, latePlans: 0, summaries: 0, lateSummaries: 0 };
  for (const id of ids) {
    const f = s.filings.get(id);
    if (!f) continue;
    total.plans += f.plans;
    total.latePlans += f.latePlans;
    total.summaries += f.summaries;
    total.lateSummaries += f.lateSummaries;
  }
  return total;
}

/** Whether `unitId` or (for forms that roll up) a unit below it must file `form`. */
function concerns(s: Snapshot, unitId: number, form: DeadlineForm): boolean {
  if (s.expected[form].has(unitId)) return true;
  return ROLLS_UP[form] && subtree(s, unitId).some((id) => s.expected[form].has(id));
}

export type RollCallDepth = 'children' | 'all';

/**
 * The rows a group bound to `groupUnitId` sees. 'children': the units directly under it (each
 * standing for its subtree), plus the group's own unit when it must file and either files itself
 * (filers registered to it) or is the only one (a street's group for the year-end report). 'all':
 * every unit below it that the scope asks, for "/missing all" and the Excel 未交 sheet (plans and
 * summaries still roll up into each row; reports are each unit's own).
 */
export async function groupRollCall(db: Db, campaign: Campaign, groupUnitId: number, depth: RollCallDepth = 'children'): Promise<UnitRollCall[]> {
  const s = await loadSnapshot(db, campaign);
  const below = depth === 'all' ? preorder(s, groupUnitId).slice(1) : (s.children.get(groupUnitId) ?? []).map((u) => u.id);
  const byId = s.byId;
  const rows = new Map<number, Record<DeadlineForm, boolean>>();
  // Whether any row asks each form (the rows of the units below, then with the group's own unit).
  const others: Record<DeadlineForm, boolean> = { plan: false, summary: false, report: false };
  for (const id of below) {
    const expected = depth === 'all'
      ? { plan: s.expected.plan.has(id), summary: s.expected.summary.has(id), report: s.expected.report.has(id) }
      : { plan: concerns(s, id, 'plan'), summary: concerns(s, id, 'summary'), report: concerns(s, id, 'report') };
    if (!expected.plan && !expected.summary && !expected.report) continue;
    rows.set(id, expected);
    for (const f of DEADLINE_FORMS) if (expected[f]) others[f] = true;
  }
  const [{ ownFilers }] = await sql(db)<{ ownFilers: number | bigint }>`SELECT COUNT(*) AS "ownFilers" FROM "Member" WHERE "unitId" = ${groupUnitId}`;
  const self = Object.fromEntries(DEADLINE_FORMS.map((f) => [f, s.expected[f].has(groupUnitId) && (Number(ownFilers) > 0 || !others[f])])) as Record<DeadlineForm, boolean>;
  const order = DEADLINE_FORMS.some((f) => self[f]) && byId.has(groupUnitId) ? [groupUnitId, ...rows.keys()] : [...rows.keys()];
  if (order[0] === groupUnitId) {
    rows.set(groupUnitId, self);
    for (const f of DEADLINE_FORMS) if (self[f]) others[f] = true;
  }
  // The group's own unit beside rows for the units below it counts only its own filings, or
  // everything below would be counted twice; alone, it stands for its whole tree.
  const selfOwn = Object.fromEntries(DEADLINE_FORMS.map((f) => [f, !ROLLS_UP[f] || others[f]])) as Record<DeadlineForm, boolean>;
  const wanted = new Set(order);
  // All filers at once: an id list of thousands of units is more than SQLite binds in one statement.
  const filers = new Map<number, Member[]>();
  for (const m of await s.members()) {
    if (!wanted.has(m.unitId!)) continue;
    const list = filers.get(m.unitId!);
    if (list) list.push(m);
    else filers.set(m.unitId!, [m]);
  }
  return order.map((id) => {
    const unit = byId.get(id)!;
    // An archived unit has nothing active under it, so the unit above an active one is active too.
    const parentName = unit.parentId === null ? null : byId.get(unit.parentId)?.name ?? null;
    return { unit, status: statusOf(s, id, id === groupUnitId ? selfOwn : undefined), expected: rows.get(id)!, filers: filers.get(id) ?? [], self: id === groupUnitId, parentName };
  });
}

async function loadMembers(db: Db): Promise<Member[]> {
  const rows = await sql(db)<Record<string, unknown>>`
    SELECT "id", "platform", "userId", "name", "role", "judge", "unitId", "createdAt", "updatedAt"
    FROM "Member" WHERE "unitId" IS NOT NULL ORDER BY "id"`;
  return rows.map((r) => ({
    id: Number(r.id), platform: String(r.platform), userId: String(r.userId), name: String(r.name), role: String(r.role), judge: truthy(r.judge),
    unitId: Number(r.unitId), createdAt: asDate(r.createdAt) ?? new Date(0), updatedAt: asDate(r.updatedAt) ?? new Date(0),
  }));
}

export interface RollCallSummary {
  form: DeadlineForm;
  total: number;
  filed: UnitRollCall[];
  /** Filed, with at least one filing after the deadline. */
  late: UnitRollCall[];
  /** Not complete (missing includes them): summaries for some plans only. */
  partial: UnitRollCall[];
  missing: UnitRollCall[];
}

/** The rows asked for `form`, split into filed / late / partial / missing. */
export function summarize(rows: UnitRollCall[], form: DeadlineForm): RollCallSummary {
  const asked = rows.filter((r) => r.expected[form]);
  const filed = asked.filter((r) => r.status[form].filed);
  const missing = asked.filter((r) => !r.status[form].filed);
  return { form, total: asked.length, filed, late: filed.filter((r) => r.status[form].late), partial: missing.filter((r) => r.status[form].count > 0), missing };
}

/** "部分提交 1/7" for a unit that summarised some of its plans; "" otherwise. */
export function partialLabel(row: UnitRollCall, form: DeadlineForm): string {
  const st = row.status[form];
  return form === 'summary' && st.count > 0 && !st.filed ? `部分提交 ${st.count}/${st.of}` : '';
}
