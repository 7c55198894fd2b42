// Per-unit counts of a campaign's filings (plans, late plans, summaries, participants, awards): the
// figures the standings and the roll-call (/排名, /未交, /统计, reminders, the export's sheets) add
// up over the unit tree. One grouped query over every plan; at 200,000 plans that is most of a
// reply's time (a few hundred milliseconds), so the counts are kept per campaign between requests
// and brought up to date by counting again only the units whose plans or summaries changed.
//
// What changed is read from updatedAt, which Prisma stamps on every create and update (updateMany
// too): the plans and summaries stamped since a point in time, with their stamps, are compared with
// those seen when the counts were made. That point lies ten minutes before the newest stamp at the
// time, so a change that commits after a later one (two writers on PostgreSQL) or comes from a
// process whose clock is a little behind is still seen. Plans and summaries are never deleted (a
// withdrawn plan is an update). Once many rows carry recent stamps (an import), everything is counted
// again and the point moves up.
import type { Db } from '../store/client.js';
import { asNumber, queryWithLists, SqlText } from './raw-sql.js';

/** What one unit filed itself (not counting the units below it), as counts and sums. */
export interface UnitFiling {
  unitId: number;
  plans: number;
  latePlans: number;
  plannedParticipants: number;
  summaries: number;
  lateSummaries: number;
  /**
   * Participants as filed — the summary's actual number, or the plan's while it has no summary — of
   * the competitions stated to have other people, plus the largest of the rest (same rule for planned).
   */
  actualParticipants: number;
  /** Summaries by award level. */
  national: number;
  provincial: number;
  city: number;
  district: number;
}

export function emptyFiling(unitId: number): UnitFiling {
  return { unitId, plans: 0, latePlans: 0, plannedParticipants: 0, summaries: 0, lateSummaries: 0, actualParticipants: 0, national: 0, provincial: 0, city: 0, district: 0 };
}

// Plain enough to run unchanged on SQLite and PostgreSQL; counts come back as BigInt or Decimal on
// PostgreSQL, hence asNumber. The same sums as aggregateFilings in standings.ts.
const SUMS = new SqlText(`
  COUNT(*) AS "plans",
  SUM(CASE WHEN p."late" THEN 1 ELSE 0 END) AS "latePlans",
  SUM(CASE WHEN p."distinctParticipants" THEN p."participants" ELSE 0 END)
    + MAX(CASE WHEN p."distinctParticipants" THEN 0 ELSE p."participants" END) AS "plannedParticipants",
  COUNT(s."planId") AS "summaries",
  SUM(CASE WHEN s."planId" IS NOT NULL AND s."late" THEN 1 ELSE 0 END) AS "lateSummaries",
  SUM(CASE WHEN p."distinctParticipants" THEN COALESCE(s."actualParticipants", p."participants") ELSE 0 END)
    + MAX(CASE WHEN p."distinctParticipants" THEN 0 ELSE COALESCE(s."actualParticipants", p."participants") END) AS "actualParticipants",
  SUM(CASE WHEN s."awardLevel" = 'national' THEN 1 ELSE 0 END) AS "national",
  SUM(CASE WHEN s."awardLevel" = 'provincial' THEN 1 ELSE 0 END) AS "provincial",
  SUM(CASE WHEN s."awardLevel" = 'city' THEN 1 ELSE 0 END) AS "city",
  SUM(CASE WHEN s."awardLevel" = 'district' THEN 1 ELSE 0 END) AS "district"`);

const FILING_KEYS = Object.keys(emptyFiling(0)) as (keyof UnitFiling)[];

/** Counts of the campaign's active plans per unit: every unit, or the units given (500 per query). */
async function countFilings(db: Db, campaignId: number, unitIds?: number[]): Promise<UnitFiling[]> {
  const q = queryWithLists(db);
  const batches = unitIds === undefined
    ? [q<Record<string, unknown>>`
        SELECT p."unitId" AS "unitId", ${SUMS}
        FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id"
        WHERE p."campaignId" = ${campaignId} AND p."withdrawnAt" IS NULL
        GROUP BY p."unitId"`]
    : [];
  for (let i = 0; unitIds && i < unitIds.length; i += 500) {
    batches.push(q<Record<string, unknown>>`
      SELECT p."unitId" AS "unitId", ${SUMS}
      FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id"
      WHERE p."campaignId" = ${campaignId} AND p."withdrawnAt" IS NULL AND p."unitId" IN (${unitIds.slice(i, i + 500)})
      GROUP BY p."unitId"`);
  }
  const out: UnitFiling[] = [];
  for (const rows of await Promise.all(batches)) {
    for (const r of rows) {
      const f = emptyFiling(0);
      for (const key of FILING_KEYS) f[key] = asNumber(r[key]);
      out.push(f);
    }
  }
  return out;
}

/** How far before the newest stamp changes are compared. */
const WINDOW_MS = 10 * 60_000;
/** More changed rows than this since the point: count everything again and move the point up. */
const MAX_WINDOW_ROWS = 5000;

/** The plans and summaries of the campaign stamped since `since`: their stamps, and their units. */
async function changedSince(db: Db, campaignId: number, since: Date): Promise<{ signature: string; rows: number; units: Set<number> }> {
  // Each read from its updatedAt index alone (a join here sends SQLite through every plan of the
  // campaign); a summary's plan is looked up after, and one of another campaign left out.
  // No ORDER BY: sorting by id would send SQLite through the table instead of the index.
  // Hand-written (store/sql.ts): every roll-call asks — each message of a reminder fan-out, each
  // /未交 and /排名 — and Prisma's model queries cost several times more than the reads themselves.
  const q = queryWithLists(db);
  const [plans, summaries] = await Promise.all([
    q<{ id: number; unitId: number; updatedAt: Date }>`SELECT "id", "unitId", "updatedAt" FROM "Plan" WHERE "campaignId" = ${campaignId} AND "updatedAt" >= ${since}`,
    q<{ id: number; planId: number; updatedAt: Date }>`SELECT "id", "planId", "updatedAt" FROM "Summary" WHERE "updatedAt" >= ${since}`,
  ]);
  plans.sort((a, b) => a.id - b.id);
  summaries.sort((a, b) => a.id - b.id);
  const unitOf = new Map<number, number>();
  const planIds = [...new Set(summaries.map((s) => s.planId))];
  for (let i = 0; i < planIds.length; i += 500) {
    // By id alone (with the campaign in the WHERE, SQLite may walk the campaign's index instead).
    for (const p of await q<{ id: number; unitId: number; campaignId: number }>`SELECT "id", "unitId", "campaignId" FROM "Plan" WHERE "id" IN (${planIds.slice(i, i + 500)})`) {
      if (p.campaignId === campaignId) unitOf.set(p.id, p.unitId);
    }
  }
  const ours = summaries.filter((s) => unitOf.has(s.planId));
  const signature = `${plans.map((p) => `${p.id}:${p.updatedAt.getTime()}`).join(',')}|${ours.map((s) => `${s.id}:${s.updatedAt.getTime()}`).join(',')}`;
  const units = new Set([...plans.map((p) => p.unitId), ...ours.map((s) => unitOf.get(s.planId)!)]);
  return { signature, rows: plans.length + summaries.length, units };
}

async function newestStamp(db: Db, campaignId: number): Promise<number> {
  const [plan, summary] = await Promise.all([
    db.plan.findFirst({ where: { campaignId }, orderBy: { updatedAt: 'desc' }, select: { updatedAt: true } }),
    db.summary.findFirst({ orderBy: { updatedAt: 'desc' }, select: { updatedAt: true } }),
  ]);
  return Math.max(plan?.updatedAt.getTime() ?? 0, summary?.updatedAt.getTime() ?? 0);
}

interface Counts {
  since: Date;
  signature: string;
  filings: ReadonlyMap<number, UnitFiling>;
}

interface Slot {
  counts?: Counts;
  /** Refreshes run one at a time per campaign. */
  queue: Promise<unknown>;
}

const kept = new WeakMap<object, Map<number, Slot>>();
/** Campaigns kept per database (most recently asked). */
const KEPT_CAMPAIGNS = 8;

async function refresh(db: Db, campaignId: number, slot: Slot): Promise<ReadonlyMap<number, UnitFiling>> {
  const counts = slot.counts;
  if (counts) {
    const now = await changedSince(db, campaignId, counts.since);
    if (now.signature === counts.signature) return counts.filings;
    if (now.rows <= MAX_WINDOW_ROWS) {
      // Every change since the counts were made is among these rows: count their units again. A new
      // map, as a caller may still be reading the old one.
      const units = [...now.units];
      const fresh = await countFilings(db, campaignId, units);
      const filings = new Map(counts.filings);
      for (const id of units) filings.delete(id);
      for (const f of fresh) filings.set(f.unitId, f);
      slot.counts = { since: counts.since, signature: now.signature, filings };
      return filings;
    }
  }
  const since = new Date((await newestStamp(db, campaignId)) - WINDOW_MS);
  // The changes are read before the counts: one committed in between is counted and also shows as a
  // change next time (counted again), never missed.
  const seen = await changedSince(db, campaignId, since);
  const filings = new Map((await countFilings(db, campaignId)).map((f) => [f.unitId, f]));
  slot.counts = { since, signature: seen.signature, filings };
  return filings;
}

/**
 * The campaign's filing counts per unit (units without an active plan absent), as of this call.
 * The map and its entries are shared between callers: read them, never change them.
 */
export function unitFilings(db: Db, campaignId: number): Promise<ReadonlyMap<number, UnitFiling>> {
  let slots = kept.get(db);
  if (!slots) kept.set(db, (slots = new Map()));
  let slot = slots.get(campaignId);
  if (slot) slots.delete(campaignId);
  else slot = { queue: Promise.resolve() };
  slots.set(campaignId, slot);
  if (slots.size > KEPT_CAMPAIGNS) slots.delete(slots.keys().next().value!);
  // Queued behind a refresh already running, and started only after it: it sees every change
  // committed before this call.
  const current = slot;
  const run = current.queue.then(() => refresh(db, campaignId, current));
  current.queue = run.catch(() => undefined);
  return run;
}
