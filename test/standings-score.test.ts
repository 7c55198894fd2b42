// The standings score on a small hand-computed data set: every part, ties sharing a rank, a unit
// without its own headcount, and a unit that filed nothing listed last with 0.
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
    { id: 11, unitId: 2, late: false, keyProject: true, participants: 50 },
    { id: 12, unitId: 3, late: false, keyProject: true, participants: 50 },
    { id: 13, unitId: 5, late: true, keyProject: false, participants: 400 },
  ], [
    { planId: 11, late: false, actualParticipants: 50, awardLevel: 'city' },
    { planId: 12, late: false, actualParticipants: 50, awardLevel: 'city' },
    { planId: 13, late: true, actualParticipants: 300, awardLevel: 'national' },
  ]),
};

const table = (kind: 'plan' | 'summary' | 'total', scope: 'children' | 'all' = 'children') =>
  computeStandings(data, 1, kind, scope, weights).rows.map((r) => [r.rank, r.unitName, r.score, r.filed]);

describe('standings score', () => {
  it('total: ties share a rank, late filings earn half, unfiled units come last with 0', () => {
    // 甲/乙: 计划按时10 + 总结按时10 + 1项×5 + 重点项目20 + 参与率20×50/100=10 + 市级6 = 61
    // 丙 (via 丁): 逾期计划5 + 逾期总结5 + 5 + 无重点项目0 + 参与率 min(1, 300/200)×20=20 + 全国15 = 50
    expect(table('total')).toEqual([
      [1, '甲街道工会', 61, true],
      [1, '乙街道工会', 61, true],
      [3, '丙园区工会', 50, true],
      [4, '戊街道工会', 0, false],
    ]);
    const first = computeStandings(data, 1, 'total', 'children', weights).rows[0];
    // No report data and no scope given: every unit is asked, none has filed one.
    expect(first.parts).toEqual({ onTimePlan: 10, onTimeSummary: 10, competitions: 5, keyProjects: 20, participation: 10, awards: 6, onTimeReport: 0 });
  });

  it('plan and summary scores use their own parts', () => {
    // plan: 10 + 5 + 重点项目占比 20×1/1 + 参与率 20×50/100 = 45; 丙: 5 + 5 + 0 + min(1,400/200)×20 = 30
    expect(table('plan')).toEqual([
      [1, '甲街道工会', 45, true],
      [1, '乙街道工会', 45, true],
      [3, '丙园区工会', 30, true],
      [4, '戊街道工会', 0, false],
    ]);
    // summary: 10 + 5 + 20 + 10 + 6 = 51; 丙: 5 + 5 + 0 + 20 + 15 = 45
    expect(table('summary')).toEqual([
      [1, '甲街道工会', 51, true],
      [1, '乙街道工会', 51, true],
      [3, '丙园区工会', 45, true],
      [4, '戊街道工会', 0, false],
    ]);
  });

  it('with all, only the deepest level is ranked: a park, which includes its enterprise, never against it', () => {
    expect(table('total', 'all')).toEqual([[1, '丁企业工会', 50, true]]);
    expect(computeStandings(data, 1, 'total', 'all', weights).level).toBe(2);
  });

  it('follows changed weights', () => {
    const w = scoreWeightsSchema.parse({ awardCity: 10, lateFactor: 0 });
    const rows = computeStandings(data, 1, 'total', 'children', w).rows;
    expect(rows.map((r) => [r.unitName, r.score])).toEqual([['甲街道工会', 65], ['乙街道工会', 65], ['丙园区工会', 40], ['戊街道工会', 0]]);
  });

  it('counts a missing summary once, under 总结按时: the competition, its key project and its planned participants still count', () => {
    const missing: StandingsData = {
      units: [{ id: 1, name: '区总工会', parentId: null, headcount: 1000 }, { id: 2, name: '甲街道工会', parentId: 1, headcount: 100 }, { id: 3, name: '乙街道工会', parentId: 1, headcount: 100 }],
      filings: aggregateFilings(
        [{ id: 11, unitId: 2, late: false, keyProject: true, participants: 80 }, { id: 12, unitId: 3, late: false, keyProject: true, participants: 80 }],
        [{ planId: 11, late: false, actualParticipants: 80, awardLevel: 'none' }],
      ),
    };
    const rows = computeStandings(missing, 1, 'total', 'children', weights).rows;
    // 甲: 10 + 10 + 5 + 20 + 20×80/100=16 = 61; 乙 without its summary: the same less 总结按时 = 51.
    expect(rows.map((r) => [r.unitName, r.score, r.parts.onTimeSummary])).toEqual([['甲街道工会', 61, 10], ['乙街道工会', 51, 0]]);
    expect(rows[1].parts).toMatchObject({ competitions: 5, keyProjects: 20, participation: 16 });
  });

  it('scores the year-end report of the units asked for one; the others are scored without it, scaled to the same maximum', () => {
    const withReports: StandingsData = { ...data, reports: [{ unitId: 2, late: false }, { unitId: 4, late: true }], reportAsked: new Set([2, 3, 6]) };
    const rows = computeStandings(withReports, 1, 'total', 'children', weights).rows;
    // 甲 61 + 年报按时10 = 71; 乙 61 + 0 (no report) = 61; 丙 is not asked: 50 × 125 / (125 − 10) = 54.3.
    expect(rows.map((r) => [r.rank, r.unitName, r.score, r.parts.onTimeReport])).toEqual([
      [1, '甲街道工会', 71, 10],
      [2, '乙街道工会', 61, 0],
      [3, '丙园区工会', 54.3, undefined],
      [4, '戊街道工会', 0, 0],
    ]);
  });

  it('counts the largest competition\'s participants, and adds the others only when stated to be other people', () => {
    const units = [{ id: 1, name: '区总工会', parentId: null, headcount: 1000 }, { id: 2, name: '甲街道工会', parentId: 1, headcount: 500 }];
    const plans = (distinct: boolean) => [
      { id: 11, unitId: 2, late: false, keyProject: false, participants: 200 },
      { id: 12, unitId: 2, late: false, keyProject: false, participants: 150, distinctParticipants: distinct },
      { id: 13, unitId: 2, late: false, keyProject: false, participants: 100 },
    ];
    const participation = (distinct: boolean) => computeStandings({ units, filings: aggregateFilings(plans(distinct), []) }, 1, 'plan', 'children', weights).rows[0];
    // The same workers in three competitions: 200 of 500 → 20×0.4 = 8, not 20×450/500.
    expect([participation(false).participants, participation(false).parts.participation]).toEqual([200, 8]);
    // 150 stated to be other people: 200 + 150 = 350 → 20×0.7 = 14.
    expect([participation(true).participants, participation(true).parts.participation]).toEqual([350, 14]);
  });
});
