// The standings score on a small hand-computed data set: every part, ties sharing a rank, a unit
// without its own headcount, key-project coverage (a unit with no designated project scored on the
// other parts, scaled), and a unit that filed nothing listed last with 0.
import { describe, expect, it } from 'vitest';
import { scoreWeightsSchema } from '../src/services/campaign-settings.js';
import { aggregateFilings, computeStandings, type StandingsData } from '../src/services/standings.js';

const weights = scoreWeightsSchema.parse({});
// 1 区总工会 → 2 甲 (100人), 3 乙 (100人), 4 丙 (职工数未填) → 5 丁 (200人), 6 戊 (nothing filed)
const data: StandingsData = {
  units: [
    { id: 1, name: '区总工会', parentId: null, headcount: 1000 },
    { id: 2, name: '甲街道工会', parentId: 1, headcount: 100 },
    { id: 3, name: '乙街道工会', parentId: 1, headcount: 100 },
    { id: 4, name: '丙园区工会', parentId: 1, headcount: null },
    { id: 5, name: '丁企业工会', parentId: 4, headcount: 200 },
    { id: 6, name: '戊街道工会', parentId: 1, headcount: 300 },
  ],
  filings: aggregateFilings([
    { id: 11, unitId: 2, late: false, participants: 50 },
    { id: 12, unitId: 3, late: false, participants: 50 },
    { id: 13, unitId: 5, late: true, participants: 400 },
  ], [
    { planId: 11, late: false, actualParticipants: 50, awardLevel: 'city' },
    { planId: 12, late: false, actualParticipants: 50, awardLevel: 'city' },
    { planId: 13, late: true, actualParticipants: 300, awardLevel: 'national' },
  ]),
  // 甲's project has a competition, 乙's has none; 丙 (and 丁, 戊) have no designated project; the
  // federation's own project (no unit) counts for nobody below it.
  keyProjects: [
    { name: '地铁3号线', unitId: 2, covered: true },
    { name: '滨江大道', unitId: 3, covered: false },
    { name: '区行政中心', unitId: null, covered: false },
  ],
};
// Maxima with the default weights: total 10+10+25+20+20+30+10 = 125, plan 10+25+20+20 = 75,
// summary 10+25+20+20+30 = 105.

const table = (kind: 'plan' | 'summary' | 'total', scope: 'children' | 'all' = 'children') =>
  computeStandings(data, 1, kind, scope, weights).rows.map((r) => [r.rank, r.unitName, r.score, r.filed]);

describe('standings score', () => {
  it('total: late filings earn half, key projects count as covered of designated, unfiled units come last with 0', () => {
    // 甲: 计划按时10 + 总结按时10 + 1项×5 + 重点项目 20×1/1=20 + 参与率20×50/100=10 + 市级6 + 年报0 = 61
    // 乙: the same, but its project has no competition: 重点项目 20×0/1=0 → 41
    // 丙 (via 丁): 逾期计划5 + 逾期总结5 + 5 + 参与率 min(1, 300/200)×20=20 + 全国15 + 年报0 = 50, without
    //   重点项目 (none designated): 50 × 125/(125−20) = 59.5
    expect(table('total')).toEqual([
      [1, '甲街道工会', 61, true],
      [2, '丙园区工会', 59.5, true],
      [3, '乙街道工会', 41, true],
      [4, '戊街道工会', 0, false],
    ]);
    const rows = computeStandings(data, 1, 'total', 'children', weights).rows;
    // No report data and no scope given: every unit is asked, none has filed one.
    expect(rows[0].parts).toEqual({ onTimePlan: 10, onTimeSummary: 10, competitions: 5, keyProjects: 20, participation: 10, awards: 6, onTimeReport: 0 });
    expect(rows[1].parts).toEqual({ onTimePlan: 5, onTimeSummary: 5, competitions: 5, participation: 20, awards: 15, onTimeReport: 0 });
    expect(rows[2].parts.keyProjects).toBe(0);
    expect(rows[2].tally).toMatchObject({ keyProjects: 1, keyProjectsCovered: 0, keyProjectsUncovered: ['滨江大道'] });
  });

  it('plan and summary scores use their own parts', () => {
    // plan: 甲 10 + 5 + 20 + 20×50/100=10 = 45; 乙 10 + 5 + 0 + 10 = 25; 丙 (5 + 5 + min(1,400/200)×20=20) × 75/55 = 40.9
    expect(table('plan')).toEqual([
      [1, '甲街道工会', 45, true],
      [2, '丙园区工会', 40.9, true],
      [3, '乙街道工会', 25, true],
      [4, '戊街道工会', 0, false],
    ]);
    // summary: 甲 10 + 5 + 20 + 10 + 6 = 51; 乙 31; 丙 (5 + 5 + 20 + 15) × 105/85 = 55.6
    expect(table('summary')).toEqual([
      [1, '丙园区工会', 55.6, true],
      [2, '甲街道工会', 51, true],
      [3, '乙街道工会', 31, true],
      [4, '戊街道工会', 0, false],
    ]);
  });

  it('a designated project counts for the unit it lies in and every unit above it', () => {
    // 丁's own project, uncovered: 丙 (above it) now has 1 designated, 0 covered → 重点项目 0, no scaling: 50.
    const below: StandingsData = { ...data, keyProjects: [...data.keyProjects!, { name: '智能制造园二期', unitId: 5, covered: false }] };
    const park = computeStandings(below, 1, 'total', 'children', weights).rows.find((r) => r.unitName === '丙园区工会')!;
    expect([park.score, park.parts.keyProjects]).toEqual([50, 0]);
    // Covered: 20 more → 70.
    const covered: StandingsData = { ...data, keyProjects: [...data.keyProjects!, { name: '智能制造园二期', unitId: 5, covered: true }] };
    expect(computeStandings(covered, 1, 'total', 'children', weights).rows.find((r) => r.unitName === '丙园区工会')!.score).toBe(70);
  });

  it('with all, only the deepest level is ranked: a park, which includes its enterprise, never against it', () => {
    // 丁 alone (all of 丙's figures are 丁's filings), with no designated project: 50 × 125/105.
    expect(table('total', 'all')).toEqual([[1, '丁企业工会', 59.5, true]]);
    expect(computeStandings(data, 1, 'total', 'all', weights).level).toBe(2);
  });

  it('follows changed weights', () => {
    const w = scoreWeightsSchema.parse({ awardCity: 10, lateFactor: 0 });
    const rows = computeStandings(data, 1, 'total', 'children', w).rows;
    // 甲 10+10+5+20+10+10 = 65; 乙 45; 丙 late parts 0: (0+0+5+20+15) × 125/105 = 47.6
    expect(rows.map((r) => [r.unitName, r.score])).toEqual([['甲街道工会', 65], ['丙园区工会', 47.6], ['乙街道工会', 45], ['戊街道工会', 0]]);
  });

  it('counts a missing summary once, under 总结按时: the competition, its key project and its planned participants still count', () => {
    const missing: StandingsData = {
      units: [{ id: 1, name: '区总工会', parentId: null, headcount: 1000 }, { id: 2, name: '甲街道工会', parentId: 1, headcount: 100 }, { id: 3, name: '乙街道工会', parentId: 1, headcount: 100 }],
      filings: aggregateFilings(
        [{ id: 11, unitId: 2, late: false, participants: 80 }, { id: 12, unitId: 3, late: false, participants: 80 }],
        [{ planId: 11, late: false, actualParticipants: 80, awardLevel: 'none' }],
      ),
      keyProjects: [{ name: '甲项目', unitId: 2, covered: true }, { name: '乙项目', unitId: 3, covered: true }],
    };
    const rows = computeStandings(missing, 1, 'total', 'children', weights).rows;
    // 甲: 10 + 10 + 5 + 20 + 20×80/100=16 = 61; 乙 without its summary: the same less 总结按时 = 51.
    expect(rows.map((r) => [r.unitName, r.score, r.parts.onTimeSummary])).toEqual([['甲街道工会', 61, 10], ['乙街道工会', 51, 0]]);
    expect(rows[1].parts).toMatchObject({ competitions: 5, keyProjects: 20, participation: 16 });
  });

  it('scores the year-end report of the units asked for one; the others are scored without it, scaled to the same maximum', () => {
    const withReports: StandingsData = { ...data, reports: [{ unitId: 2, late: false }, { unitId: 4, late: true }], reportAsked: new Set([2, 3, 6]) };
    const rows = computeStandings(withReports, 1, 'total', 'children', weights).rows;
    // 甲 61 + 年报按时10 = 71; 乙 41 + 0 (no report) = 41; 丙 is not asked and has no key project:
    // 50 × 125 / (125 − 10 − 20) = 65.8.
    expect(rows.map((r) => [r.rank, r.unitName, r.score, r.parts.onTimeReport])).toEqual([
      [1, '甲街道工会', 71, 10],
      [2, '丙园区工会', 65.8, undefined],
      [3, '乙街道工会', 41, 0],
      [4, '戊街道工会', 0, 0],
    ]);
  });

  it('counts the largest competition\'s participants, and adds the others only when stated to be other people', () => {
    const units = [{ id: 1, name: '区总工会', parentId: null, headcount: 1000 }, { id: 2, name: '甲街道工会', parentId: 1, headcount: 500 }];
    const plans = (distinct: boolean) => [
      { id: 11, unitId: 2, late: false, participants: 200 },
      { id: 12, unitId: 2, late: false, participants: 150, distinctParticipants: distinct },
      { id: 13, unitId: 2, late: false, participants: 100 },
    ];
    const participation = (distinct: boolean) => computeStandings({ units, filings: aggregateFilings(plans(distinct), []) }, 1, 'plan', 'children', weights).rows[0];
    // The same workers in three competitions: 200 of 500 → 20×0.4 = 8, not 20×450/500.
    expect([participation(false).participants, participation(false).parts.participation]).toEqual([200, 8]);
    // 150 stated to be other people: 200 + 150 = 350 → 20×0.7 = 14.
    expect([participation(true).participants, participation(true).parts.participation]).toEqual([350, 14]);
  });
});
