// Standings: ranks the units under a group's unit for assessment (考核). The score is a sum of named
// parts so a federation can explain every point to the unit that asks. Everything is computed in one
// pass over rows loaded up front (the unit tree once, the per-unit filing counts kept between
// requests in filing-counts.ts), never one query per unit, so ranking 20,000 units with 200,000 plans
// stays within a chat reply's time budget.
import type { Db } from '../store/client.js';
import type { Campaign } from '../store/models.js';
import { parseCampaignSettings, type ScoreWeights } from './campaign-settings.js';
import { campaignRoots } from './campaigns.js';
import { emptyFiling, unitFilings, type UnitFiling } from './filing-counts.js';
import { asNumber } from './raw-sql.js';
import { activeUnits, askedSets, keptTables, yearReports } from './roll-call.js';
import { groupByParent } from './units.js';

export type { UnitFiling } from './filing-counts.js';

export type StandingsKind = 'plan' | 'summary' | 'total';
export type StandingsScope = 'children' | 'all';
export const STANDINGS_KIND_LABELS: Record<StandingsKind, string> = { plan: '计划备案', summary: '竞赛总结', total: '综合' };

export type PartKey = 'onTimePlan' | 'onTimeSummary' | 'competitions' | 'keyProjects' | 'participation' | 'awards' | 'onTimeReport';
export const PART_LABELS: Record<PartKey, string> = {
  onTimePlan: '计划按时',
  onTimeSummary: '总结按时',
  competitions: '竞赛项数',
  keyProjects: '重点项目',
  participation: '参与率',
  awards: '获奖',
  onTimeReport: '年报按时',
};
/** Which parts make up each kind of score, in display order. */
export const PARTS_OF: Record<StandingsKind, PartKey[]> = {
  plan: ['onTimePlan', 'competitions', 'keyProjects', 'participation'],
  summary: ['onTimeSummary', 'competitions', 'keyProjects', 'participation', 'awards'],
  total: ['onTimePlan', 'onTimeSummary', 'competitions', 'keyProjects', 'participation', 'awards', 'onTimeReport'],
};

export interface StandingsUnit {
  id: number;
  name: string;
  parentId: number | null;
  headcount: number | null;
}
/** Everything the standings need, loaded once: the unit tree and per-unit filing counts. */
export interface StandingsData {
  units: StandingsUnit[];
  filings: Iterable<UnitFiling>;
  /** Year-end reports filed (not withdrawn): each unit reports for itself, nothing rolls up. */
  reports?: { unitId: number; late: boolean }[];
  /** Units the campaign asks for a year-end report; others are scored without that part. Absent: all. */
  reportAsked?: ReadonlySet<number>;
  /**
   * The campaign's designated key projects (withdrawn ones left out): each counts for the unit it lies
   * in and every unit above; covered when at least one competition (an active plan) names it.
   */
  keyProjects?: { name: string; unitId: number | null; covered: boolean }[];
}

const AWARD_KEYS = ['national', 'provincial', 'city', 'district'] as const;

/** Per-unit counts from individual plan and summary rows (the same sums the SQL in filing-counts.ts makes). */
export function aggregateFilings(
  plans: { id: number; unitId: number; late: boolean; participants: number; distinctParticipants?: boolean }[],
  summaries: { planId: number; late: boolean; actualParticipants: number; awardLevel: string }[],
): UnitFiling[] {
  const byUnit = new Map<number, UnitFiling>();
  const planById = new Map(plans.map((p) => [p.id, p]));
  const of = (unitId: number) => byUnit.get(unitId) ?? byUnit.set(unitId, emptyFiling(unitId)).get(unitId)!;
  const actual = new Map<number, number>();
  for (const s of summaries) {
    const p = planById.get(s.planId);
    if (!p) continue;
    actual.set(p.id, s.actualParticipants);
    const f = of(p.unitId);
    f.summaries++;
    if (s.late) f.lateSummaries++;
    if ((AWARD_KEYS as readonly string[]).includes(s.awardLevel)) f[s.awardLevel as (typeof AWARD_KEYS)[number]]++;
  }
  // Participants (the same rule as the SQL below): competitions stated to have other people add up;
  // of the others, which may be the same workers, only the largest counts.
  const largest = new Map<number, { planned: number; actual: number }>();
  for (const p of plans) {
    const f = of(p.unitId);
    f.plans++;
    if (p.late) f.latePlans++;
    const a = actual.get(p.id) ?? p.participants;
    if (p.distinctParticipants) {
      f.plannedParticipants += p.participants;
      f.actualParticipants += a;
    } else {
      const m = largest.get(p.unitId) ?? { planned: 0, actual: 0 };
      largest.set(p.unitId, { planned: Math.max(m.planned, p.participants), actual: Math.max(m.actual, a) });
    }
  }
  for (const [unitId, m] of largest) {
    of(unitId).plannedParticipants += m.planned;
    of(unitId).actualParticipants += m.actual;
  }
  return [...byUnit.values()];
}

/** The campaign's designated key projects (not withdrawn), in id order, each with whether an active plan names it. */
async function designatedProjects(db: Db, campaignId: number): Promise<{ name: string; unitId: number | null; covered: boolean }[]> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT k."name" AS "name", k."unitId" AS "unitId",
      CASE WHEN EXISTS (SELECT 1 FROM "Plan" p WHERE p."keyProjectId" = k."id" AND p."withdrawnAt" IS NULL) THEN 1 ELSE 0 END AS "covered"
    FROM "KeyProject" k WHERE k."campaignId" = ${campaignId} AND k."withdrawnAt" IS NULL ORDER BY k."id"`;
  return rows.map((k) => ({ name: String(k.name), unitId: k.unitId == null ? null : Number(k.unitId), covered: asNumber(k.covered) > 0 }));
}

function standingsData(units: StandingsUnit[], filings: ReadonlyMap<number, UnitFiling>, reports: ReadonlyMap<number, { late: boolean }>, keyProjects: StandingsData['keyProjects']): StandingsData {
  return {
    units,
    // Re-iterable: the same data may be ranked more than once.
    filings: { [Symbol.iterator]: () => filings.values() },
    reports: [...reports].map(([unitId, r]) => ({ unitId, late: r.late })),
    keyProjects,
  };
}

/**
 * The filing counts (kept between requests), the year-end reports and the designated key projects
 * with whether a competition names them; the unit tree when not given. Plain SQL that runs unchanged
 * on SQLite and PostgreSQL.
 */
export async function loadStandingsData(db: Db, campaignId: number, units?: StandingsUnit[]): Promise<StandingsData> {
  const [tree, filings, reports, keyProjects] = await Promise.all([units ?? activeUnits(db), unitFilings(db, campaignId), yearReports(db, campaignId), designatedProjects(db, campaignId)]);
  return standingsData(tree, filings, reports, keyProjects);
}

/** What one unit (with everything below it) filed, summed. */
export interface Tally {
  plans: number;
  latePlans: number;
  plannedParticipants: number;
  summaries: number;
  lateSummaries: number;
  /** Designated key projects lying in the unit (or below it), and how many of them have a competition. */
  keyProjects: number;
  keyProjectsCovered: number;
  /** Names of a few of those without one, for /standings <单位>. */
  keyProjectsUncovered: string[];
  /** Summaries weighted by timeliness: on time 1, late lateFactor. */
  summaryCredit: number;
  actualParticipants: number;
  awardPoints: number;
  awards: number;
  /** Headcount of the unit, or of the units below it when its own is not recorded. */
  headcount: number;
  /** The unit's own year-end report; notAsked when the campaign's scope does not ask it for one. */
  report?: 'onTime' | 'late' | 'missing' | 'notAsked';
}

/** Most units have no uncovered key project: they share this list until they have one (never pushed to). */
const NONE_UNCOVERED: string[] = Object.freeze([]) as unknown as string[];
const emptyTally = (): Tally => ({ plans: 0, latePlans: 0, keyProjects: 0, keyProjectsCovered: 0, keyProjectsUncovered: NONE_UNCOVERED, plannedParticipants: 0, summaries: 0, lateSummaries: 0, summaryCredit: 0, actualParticipants: 0, awardPoints: 0, awards: 0, headcount: 0 });

export interface StandingRow {
  unitId: number;
  unitName: string;
  /** 1-based; equal scores share a rank (1, 1, 3). */
  rank: number;
  score: number;
  parts: Partial<Record<PartKey, number>>;
  /** False when the unit has filed nothing that this kind of score counts. */
  filed: boolean;
  competitions: number;
  participants: number;
  headcount: number;
  /** The figures behind the parts (the unit with everything below it), for /standings <单位>. */
  tally: Tally;
}

export interface Standings {
  kind: StandingsKind;
  scope: StandingsScope;
  weights: ScoreWeights;
  rows: StandingRow[];
  /** Which level below the root is ranked (1: its children). */
  level: number;
}

export function awardWeight(weights: ScoreWeights, level: string): number {
  switch (level) {
    case 'national':
      return weights.awardNational;
    case 'provincial':
      return weights.awardProvincial;
    case 'city':
      return weights.awardCity;
    case 'district':
      return weights.awardDistrict;
    default:
      return 0;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
/** How many uncovered key projects /standings <单位> names. */
const UNCOVERED_SHOWN = 5;

/**
 * Ranks the units below `rootId` (its children, or every descendant with scope 'all'). A unit's
 * figures include the units below it, the same rule the roll-call uses: a street union is credited
 * whether its cadre files for its enterprises or the enterprises file themselves.
 */
export function computeStandings(data: StandingsData, rootId: number, kind: StandingsKind, scope: StandingsScope, weights: ScoreWeights, asked?: ReadonlySet<number>): Standings {
  const { children, unitsById, order, at, parentAt, depthAt, headcountAt, deepest } = treeShape(data.units, rootId);

  // Tallies of the units in the tree only (by place in `order`); filings of other units are left out.
  const n = order.length;
  const tallies: Tally[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = emptyTally();
    t.headcount = headcountAt[i];
    tallies[i] = t;
  }
  const awardWeights = AWARD_KEYS.map((k) => awardWeight(weights, k));
  for (const f of data.filings) {
    const i = at.get(f.unitId);
    if (i === undefined) continue;
    const t = tallies[i];
    t.plans += f.plans;
    t.latePlans += f.latePlans;
    t.plannedParticipants += f.plannedParticipants;
    t.summaries += f.summaries;
    t.lateSummaries += f.lateSummaries;
    t.summaryCredit += f.summaries - f.lateSummaries + f.lateSummaries * weights.lateFactor;
    t.actualParticipants += f.actualParticipants;
    t.awards += f.national + f.provincial + f.city + f.district;
    t.awardPoints += AWARD_KEYS.reduce((sum, k, i) => sum + f[k] * awardWeights[i], 0);
  }
  for (const k of data.keyProjects ?? []) {
    const i = k.unitId === null ? undefined : at.get(k.unitId);
    if (i === undefined) continue;
    const t = tallies[i];
    t.keyProjects++;
    if (k.covered) t.keyProjectsCovered++;
    else if (t.keyProjectsUncovered.length < UNCOVERED_SHOWN) t.keyProjectsUncovered = [...t.keyProjectsUncovered, k.name];
  }

  const level = scope === 'all' ? deepest : 1;
  const childHeadcount = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const unit = tallies[i];
    const p = parentAt[i];
    if (p < 0) continue;
    // A unit without a recorded headcount uses the sum of the units below it; its parent then sees
    // that sum too, so fill it in before the unit is added upward.
    if (unit.headcount === 0) unit.headcount = childHeadcount[i];
    const parent = tallies[p];
    parent.plans += unit.plans;
    parent.latePlans += unit.latePlans;
    parent.keyProjects += unit.keyProjects;
    parent.keyProjectsCovered += unit.keyProjectsCovered;
    if (unit.keyProjectsUncovered.length && parent.keyProjectsUncovered.length < UNCOVERED_SHOWN) {
      parent.keyProjectsUncovered = [...parent.keyProjectsUncovered, ...unit.keyProjectsUncovered.slice(0, UNCOVERED_SHOWN - parent.keyProjectsUncovered.length)];
    }
    parent.plannedParticipants += unit.plannedParticipants;
    parent.summaries += unit.summaries;
    parent.lateSummaries += unit.lateSummaries;
    parent.summaryCredit += unit.summaryCredit;
    parent.actualParticipants += unit.actualParticipants;
    parent.awardPoints += unit.awardPoints;
    parent.awards += unit.awards;
    childHeadcount[p] += unit.headcount;
  }

  // Only units the campaign asks for these forms (its scope), or whose units below are asked.
  const concerned = (id: number): boolean => !asked || asked.has(id) || (children.get(id) ?? []).some((c) => concerned(c.id));
  const reports = new Map((data.reports ?? []).map((r) => [r.unitId, r.late]));
  const maxima = { full: fullMax(kind, weights), parts: PARTS_OF[kind].map((k) => partMax(k, weights)) };
  const rows: StandingRow[] = [];
  for (let i = 1; i < n; i++) {
    if (depthAt[i] !== level) continue;
    const id = order[i];
    if (!concerned(id)) continue;
    const t = tallies[i];
    // The unit's own report (a street's report is its own, its enterprises' do not count for it).
    t.report = !data.reportAsked || data.reportAsked.has(id) ? (reports.has(id) ? (reports.get(id) ? 'late' : 'onTime') : 'missing') : 'notAsked';
    rows.push(scoreUnit(id, unitsById.get(id)?.name ?? String(id), t, kind, weights, maxima));
  }
  rankRows(rows, nameRanks(data.units));
  return { kind, scope, weights, rows, level };
}

/** `maxima`: fullMax and each part's partMax (PARTS_OF order), the same for every unit. */
function scoreUnit(unitId: number, unitName: string, t: Tally, kind: StandingsKind, w: ScoreWeights, maxima: { full: number; parts: number[] }): StandingRow {
  const summaryStage = kind !== 'plan';
  // A missing summary costs its 总结按时 points once: the competitions organised, the participants as
  // filed (the plan's figure until the summary comes) and key projects count plans in every stage.
  const competitions = t.plans;
  const participants = summaryStage ? t.actualParticipants : t.plannedParticipants;
  const filed = kind === 'summary' ? t.summaries > 0 : t.plans > 0;
  const parts: Partial<Record<PartKey, number>> = {};
  // Summed as the parts are made (in PARTS_OF order): the sum of the parts, and of the maxima of
  // the parts that apply.
  let sum = 0;
  let applicable = 0;
  const keys = PARTS_OF[kind];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    let v = 0;
    switch (key) {
      case 'onTimePlan':
        // Every plan counts, late ones at the late factor: a late plan stays late at every level it
        // rolls up to, however many on-time plans sit beside it.
        v = t.plans === 0 ? 0 : (w.onTimePlan * (t.plans - t.latePlans + t.latePlans * w.lateFactor)) / t.plans;
        break;
      case 'onTimeSummary':
        // Every plan needs its summary: the share of plans summarised, late ones at the late factor.
        v = t.plans === 0 ? 0 : (w.onTimeSummary * t.summaryCredit) / t.plans;
        break;
      case 'competitions':
        v = w.perCompetition * Math.min(competitions, w.competitionsCap);
        break;
      case 'keyProjects':
        // The share of the designated projects in the unit's area that have a competition. A unit with
        // none has nothing to cover: the part is left out and the rest scaled up, not scored 0.
        if (t.keyProjects === 0) continue;
        v = (w.keyProjectCoverage * t.keyProjectsCovered) / t.keyProjects;
        break;
      case 'participation':
        v = t.headcount > 0 ? w.participationRate * Math.min(1, participants / t.headcount) : 0;
        break;
      case 'awards':
        v = Math.min(t.awardPoints, w.awardsCap);
        break;
      case 'onTimeReport':
        // Not asked for a report: the part is left out and the rest scaled up to the same maximum.
        if (t.report === 'notAsked') continue;
        v = t.report === 'onTime' ? w.onTimeReport : t.report === 'late' ? w.onTimeReport * w.lateFactor : 0;
        break;
    }
    const points = filed ? round1(v) : 0;
    parts[key] = points;
    sum += points;
    applicable += maxima.parts[i];
  }
  // Parts that do not apply to the unit are left out; the others are scaled to the same maximum, so
  // units with and without them compare on one scale.
  const max = maxima.full;
  const scale = applicable > 0 && applicable < max ? max / applicable : 1;
  const score = filed ? round1(sum * scale) : 0;
  return { unitId, unitName, rank: 0, score, parts, filed, competitions, participants, headcount: t.headcount, tally: t };
}

// One collator: localeCompare with a locale builds a new one per call, which is slow on 5,000 units.
const collator = new Intl.Collator('zh-CN');

/**
 * The unit tree as the standings walk it from a root, worked out once per unit list: the list is
 * the kept one (roll-call.ts keptTables, the same object while no unit changes), so a ranking asked
 * right after a filing — which changes counts, not units — skips this part of the work.
 */
interface TreeShape {
  children: Map<number | null, StandingsUnit[]>;
  unitsById: Map<number, StandingsUnit>;
  /** The root and every unit below it, in tree order; the arrays below go by place in it. */
  order: number[];
  /** A unit's place in `order`. */
  at: Map<number, number>;
  /** The place of a unit's parent (-1: the root's, or none). */
  parentAt: Int32Array;
  /** Depth below the root (its children 1). */
  depthAt: Int32Array;
  /** The headcount recorded (0 when none). */
  headcountAt: Float64Array;
  deepest: number;
}
const shapes = new WeakMap<StandingsUnit[], Map<number, TreeShape>>();

function treeShape(units: StandingsUnit[], rootId: number): TreeShape {
  let byRoot = shapes.get(units);
  if (!byRoot) shapes.set(units, (byRoot = new Map()));
  const known = byRoot.get(rootId);
  if (known) return known;
  const children = groupByParent(units);
  const unitsById = new Map(units.map((u) => [u.id, u]));
  // Every unit below the root in tree order with its depth (children 1); later every tally rolled up
  // into its parent (children first). Units are ranked against their own level only: the root's
  // children, or with scope 'all' the deepest level (the enterprises) — a street, which includes its
  // enterprises, is never ranked against one of them.
  const order: number[] = [];
  const depth = new Map<number, number>([[rootId, 0]]);
  let deepest = 1;
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    const d = depth.get(id)! + 1;
    for (const { id: c } of children.get(id) ?? []) {
      depth.set(c, d);
      if (d > deepest) deepest = d;
      stack.push(c);
    }
  }
  const at = new Map(order.map((id, i) => [id, i]));
  const parentAt = new Int32Array(order.length).fill(-1);
  const depthAt = new Int32Array(order.length);
  const headcountAt = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const unit = unitsById.get(order[i]);
    const parentId = unit?.parentId ?? null;
    if (i > 0 && parentId !== null) parentAt[i] = at.get(parentId) ?? -1;
    depthAt[i] = depth.get(order[i])!;
    headcountAt[i] = unit?.headcount ?? 0;
  }
  const shape = { children, unitsById, order, at, parentAt, depthAt, headcountAt, deepest };
  byRoot.set(rootId, shape);
  return shape;
}

/**
 * Each unit's place among the list's names in the collator's order (names that compare equal share
 * one), worked out once per unit list: equal scores are then ordered by comparing two numbers, not
 * two names (on 20,000 units, most of a ranking's sort).
 */
const ranksOfNames = new WeakMap<StandingsUnit[], Map<number, number>>();

function nameRanks(units: StandingsUnit[]): Map<number, number> {
  let ranks = ranksOfNames.get(units);
  if (ranks) return ranks;
  const sorted = [...units].sort((a, b) => collator.compare(a.name, b.name));
  ranks = new Map();
  let rank = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && collator.compare(sorted[i - 1].name, sorted[i].name) !== 0) rank++;
    ranks.set(sorted[i].id, rank);
  }
  ranksOfNames.set(units, ranks);
  return ranks;
}

/**
 * Sorts by score (filers before units that filed nothing), equal scores by name, and gives equal
 * scores the same rank. `names`: nameRanks of the units ranked.
 */
function rankRows(rows: StandingRow[], names: Map<number, number>): void {
  rows.sort((a, b) => Number(b.filed) - Number(a.filed) || b.score - a.score || names.get(a.unitId)! - names.get(b.unitId)!);
  for (let i = 0; i < rows.length; i++) {
    const prev = rows[i - 1];
    rows[i].rank = prev && prev.filed === rows[i].filed && prev.score === rows[i].score ? prev.rank : i + 1;
  }
}

/** Standings lately computed, with what they were computed from (the kept rows, by identity). */
interface Ranked {
  units: object;
  filings: object;
  reports: object;
  key: string;
  standings: Standings;
}
const ranked = new WeakMap<object, Ranked[]>();
const KEPT_STANDINGS = 8;

/**
 * The standings of the units below `rootId`. The unit tree, the filing counts and the reports are
 * kept between requests (the same objects while nothing changed), so standings asked again with
 * nothing filed meanwhile are the ones computed last time: ranking 20,000 units is then skipped.
 * Callers read them, never change them.
 */
export async function standingsFor(db: Db, campaign: Campaign, rootId: number, kind: StandingsKind, scope: StandingsScope): Promise<Standings> {
  const tables = await keptTables(db, campaign.id);
  const [units, roots, filings, reports, keyProjects] = await Promise.all([
    tables.units(), campaignRoots(db, campaign), unitFilings(db, campaign.id), tables.reports(), designatedProjects(db, campaign.id),
  ]);
  const key = JSON.stringify([rootId, kind, scope, campaign.settings, roots, keyProjects]);
  let kept = ranked.get(db);
  if (!kept) ranked.set(db, (kept = []));
  const same = kept.find((r) => r.units === units && r.filings === filings && r.reports === reports && r.key === key);
  if (same) return same.standings;
  const weights = parseCampaignSettings(campaign.settings).scoreWeights;
  // The unit tree once, for the scores and for who is asked what.
  const asked = askedSets(units, roots, campaign);
  const standings = computeStandings({ ...standingsData(units, filings, reports, keyProjects), reportAsked: asked.report }, rootId, kind, scope, weights, asked[kind === 'summary' ? 'summary' : 'plan']);
  kept.unshift({ units, filings, reports, key, standings });
  kept.length = Math.min(kept.length, KEPT_STANDINGS);
  return standings;
}

/** 「计划按时10 总结按时10 …」: the weights a reply says it used. */
export function describeWeights(w: ScoreWeights): string {
  return [
    `计划按时${w.onTimePlan}`,
    `总结按时${w.onTimeSummary}`,
    `每项竞赛${w.perCompetition}（最多${w.competitionsCap}项）`,
    `重点项目${w.keyProjectCoverage}`,
    `参与率${w.participationRate}`,
    `获奖 全国${w.awardNational}/省级${w.awardProvincial}/市级${w.awardCity}/区级${w.awardDistrict}（上限${w.awardsCap}）`,
    `年报按时${w.onTimeReport}`,
    `逾期按${w.lateFactor}计`,
  ].join('，');
}

/**
 * The scoring method in plain Chinese, with the weights in force (/weights 说明, and under the 单位排名
 * sheet): enough for a unit to recompute its own score from its filings.
 */
export function describeMethod(w: ScoreWeights): string[] {
  const late = `逾期的按${w.lateFactor}计`;
  return [
    '综合得分是以下各项之和（第4、7项对某单位不适用时不计，其余各项按比例折算到同样的满分），保留一位小数，同分同名次；没有填报的单位记0分，排在最后。一个单位的计划、总结包括其下属单位填报的（与催交统计一致）。',
    `1. 计划按时（满分${w.onTimePlan}）：按时备案的计划占全部计划的比例 × ${w.onTimePlan}，${late}。`,
    `2. 总结按时（满分${w.onTimeSummary}）：已交总结的计划占全部计划的比例 × ${w.onTimeSummary}，${late}。未交总结只在这一项扣分。`,
    `3. 竞赛项数（满分${w.perCompetition * w.competitionsCap}）：每项竞赛${w.perCompetition}分，最多计${w.competitionsCap}项。`,
    `4. 重点项目（满分${w.keyProjectCoverage}）：组织单位公布重点项目名单（/重点项目），每个项目注明所在单位。一个单位（含下属单位）所在的名单内重点项目中，已有竞赛的比例 × ${w.keyProjectCoverage}；计划的“重点项目”一项写明名单上的名称才算这个项目有竞赛，不论由哪个单位备案。没有名单内重点项目的单位不计此项，其余各项按比例折算到同样的满分。`,
    `5. 参与率（满分${w.participationRate}）：参与人数 ÷ 职工数 × ${w.participationRate}，最多${w.participationRate}分。同一单位的几项竞赛可能是同一批职工，只计人数最多的一项；备案时填“参与人员与其他竞赛不重复：是”的竞赛另行加上。参与人数取总结的实际人数，未交总结的取计划人数，写成范围的按上限；下属单位的人数相加；职工数未登记的，按下属单位职工数之和。`,
    `6. 获奖（满分${w.awardsCap}）：每项竞赛按其最高奖项计分：国家级${w.awardNational}、省级${w.awardProvincial}、市级${w.awardCity}、区县级${w.awardDistrict}（街道级、企业级不计分），合计最多${w.awardsCap}分。`,
    `7. 年报按时（满分${w.onTimeReport}）：本单位自己的年度报告按时提交得${w.onTimeReport}分，${late}；下属单位的年报不计入上级。本竞赛不要求其提交年度报告的单位不计此项，其余各项按比例折算到同样的满分。`,
    '计划排名（/排名 计划）只算第1、3、4、5项，参与人数取计划人数；总结排名（/排名 总结）算第2至6项；综合排名算全部7项。',
  ];
}

/** The most a score of this kind can reach under these weights. */
export function fullMax(kind: StandingsKind, w: ScoreWeights): number {
  return PARTS_OF[kind].reduce((n, k) => n + partMax(k, w), 0);
}

/** The most a part can give under these weights. */
export function partMax(key: PartKey, w: ScoreWeights): number {
  switch (key) {
    case 'onTimeReport': return w.onTimeReport;
    case 'onTimePlan': return w.onTimePlan;
    case 'onTimeSummary': return w.onTimeSummary;
    case 'competitions': return w.perCompetition * w.competitionsCap;
    case 'keyProjects': return w.keyProjectCoverage;
    case 'participation': return w.participationRate;
    case 'awards': return w.awardsCap;
  }
}

/** One part of a unit's score in words: what it rests on, the points, and what would raise it. */
export interface PartExplanation {
  key: PartKey;
  /** False when the part does not apply to the unit (left out, the rest scaled up). */
  applies: boolean;
  got: number;
  max: number;
  /** The fact a cadre recognises, short enough for a ranking line ("总结1/3", "参与率12%"); '' when it says nothing. */
  fact: string;
  /** The figures behind the points ("参与1,000人，职工5,000人"). */
  why: string;
  /** What would raise it, and by about how many points (gain 0: nothing to do). */
  raise: string;
  gain: number;
}

const n = (x: number) => x.toLocaleString('zh-CN');
const percent = (part: number, whole: number) => Math.round((100 * part) / whole);

/**
 * One unit's score, part by part: the figures behind each part in words (参与率 12%, not 0.6) and
 * what would raise it, so a unit can check its score and see where it stands to gain.
 */
export function explainParts(row: StandingRow, kind: StandingsKind, w: ScoreWeights): PartExplanation[] {
  const t = row.tally;
  return PARTS_OF[kind].map((key): PartExplanation => {
    const base = { key, applies: true, got: row.parts[key] ?? 0, max: partMax(key, w), fact: '', why: '', raise: '', gain: 0 };
    switch (key) {
      case 'onTimePlan':
        if (!t.plans) return { ...base, fact: '未备案', why: '还没有备案计划', raise: '备案计划', gain: w.onTimePlan * w.lateFactor };
        return {
          ...base,
          fact: t.latePlans ? `计划${t.plans}项含逾期${t.latePlans}` : `计划${t.plans}项✓`,
          why: `计划${t.plans}项${t.latePlans ? `，其中逾期${t.latePlans}项` : '，都按时'}`,
          raise: t.latePlans ? '逾期备案的不能补回，今后按时备案' : '',
        };
      case 'onTimeSummary': {
        const missing = t.plans - t.summaries;
        const each = round1((w.onTimeSummary * w.lateFactor) / Math.max(1, t.plans));
        return {
          ...base,
          fact: t.plans ? `总结${t.summaries}/${t.plans}${t.lateSummaries ? `含逾期${t.lateSummaries}` : ''}` : '',
          why: `计划${t.plans}项，已交总结${t.summaries}项${t.lateSummaries ? `，其中逾期${t.lateSummaries}项` : ''}`,
          raise: missing > 0 ? `补交${missing}项总结，每项约加${each}分` : '',
          gain: missing > 0 ? round1(each * missing) : 0,
        };
      }
      case 'competitions':
        return {
          ...base,
          // The plan part already names the count; the summary ranking has no plan part.
          fact: kind === 'summary' ? `竞赛${t.plans}项` : '',
          why: `竞赛${t.plans}项，每项${w.perCompetition}分，最多计${w.competitionsCap}项`,
          raise: t.plans < w.competitionsCap ? `每多组织1项竞赛加${w.perCompetition}分` : '',
          gain: t.plans < w.competitionsCap ? w.perCompetition : 0,
        };
      case 'keyProjects': {
        if (t.keyProjects === 0) return { ...base, applies: false, why: '本单位没有名单内的重点项目' };
        const open = t.keyProjects - t.keyProjectsCovered;
        const names = t.keyProjectsUncovered.map((x) => `「${x}」`).join('、') + (open > t.keyProjectsUncovered.length ? `等${open}个` : '');
        const each = round1(w.keyProjectCoverage / t.keyProjects);
        return {
          ...base,
          fact: `重点项目${t.keyProjectsCovered}/${t.keyProjects}`,
          why: `名单内重点项目${t.keyProjects}个，已开展竞赛${t.keyProjectsCovered}个，覆盖${percent(t.keyProjectsCovered, t.keyProjects)}%`,
          raise: open ? `${names}还没有竞赛，每覆盖1个加${each}分（计划里“重点项目”写明名称）` : '',
          gain: open ? round1(each * open) : 0,
        };
      }
      case 'participation': {
        const people = row.participants;
        if (!t.headcount) return { ...base, fact: '职工数未登记', why: '职工数未登记，参与率无法计算', raise: '请管理员登记职工数（/单位 设置 单位名称 职工数=…）', gain: partMax(key, w) };
        return {
          ...base,
          fact: `参与率${percent(people, t.headcount)}%`,
          why: `参与${n(people)}人，职工${n(t.headcount)}人`,
          raise: people < t.headcount ? `再有${n(t.headcount - people)}人参与可得满分` : '',
          gain: round1(partMax(key, w) - base.got),
        };
      }
      case 'awards':
        return { ...base, fact: t.awards ? `获奖${t.awards}项` : '', why: `获奖${t.awards}项，共${round1(t.awardPoints)}分，最多计${w.awardsCap}分` };
      case 'onTimeReport':
        if (t.report === 'notAsked') return { ...base, applies: false, why: '不要求本单位提交年度报告' };
        return {
          ...base,
          fact: t.report === 'onTime' ? '年报✓' : t.report === 'late' ? '年报逾期' : '年报未交',
          why: t.report === 'onTime' ? '年度报告按时提交' : t.report === 'late' ? '年度报告逾期提交' : '还没有提交年度报告',
          raise: t.report === 'missing' ? `提交年度报告（逾期按${w.lateFactor}计）` : '',
          gain: t.report === 'missing' ? round1(w.onTimeReport * w.lateFactor) : 0,
        };
    }
  });
}

/** A ranking line as a phone reads it: "1. 东城街道工会 50分（计划2项✓ 总结2/2 重点项目1/2 参与率20%）". */
export function rankingLine(row: StandingRow, kind: StandingsKind, w: ScoreWeights): string {
  if (!row.filed) return `${row.rank}. ${row.unitName} 0分（未填报）`;
  const facts = explainParts(row, kind, w).filter((p) => p.applies && p.fact).map((p) => p.fact);
  return `${row.rank}. ${row.unitName} ${row.score}分（${facts.join(' ')}）`;
}

/** The parts that would raise a unit's score most, in words ("补交1项总结，每项约加5分"). */
export function bestRaises(row: StandingRow, kind: StandingsKind, w: ScoreWeights, count = 2): string[] {
  return explainParts(row, kind, w).filter((p) => p.applies && p.raise && p.gain > 0).sort((a, b) => b.gain - a.gain).slice(0, count).map((p) => p.raise);
}

/** /standings <单位>: one line per part, "参与率20%：得4分（满分20）。参与1,000人，职工5,000人；再有4,000人参与可得满分". */
export function explainRow(row: StandingRow, kind: StandingsKind, w: ScoreWeights): string[] {
  return explainParts(row, kind, w).map((p) => {
    if (!p.applies) return `${PART_LABELS[p.key]}：${p.why}，不计此项（其余各项按比例折算到满分${fullMax(kind, w)}分）`;
    const fact = p.key === 'participation' && p.fact.startsWith('参与率') ? p.fact.slice(3) : '';
    return `${PART_LABELS[p.key]}${fact}：得${p.got}分（满分${p.max}）。${p.why}${p.raise ? `；${p.raise}` : ''}`;
  });
}
