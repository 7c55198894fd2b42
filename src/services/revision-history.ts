// Reads the revision log back to people: every version of a plan and of its summary, who filed it,
// when, and what changed. The log stores database values, so they are labelled and formatted here.
import type { Db } from '../db/client.js';
import type { Plan, Revision } from '../generated/sqlite/index.js';
import { COMPETITION_TYPES } from '../forms/plan.js';
import { AWARD_LEVELS } from '../forms/summary.js';
import { formatFen } from '../forms/display.js';
import { chineseDate, shanghaiDateTimeText } from '../util/dates.js';

type Formatter = (v: unknown) => string;
const asText: Formatter = (v) => (v === null || v === undefined || v === '' ? '（空）' : String(v));
const asDate: Formatter = (v) => (typeof v === 'string' ? chineseDate(v) : asText(v));
const asFen: Formatter = (v) => (typeof v === 'number' ? formatFen(v) : '（空）');
const asChoice = (options: { value: string; label: string }[]): Formatter => (v) => options.find((o) => o.value === v)?.label ?? asText(v);

const COLUMNS: Record<string, Record<string, [label: string, format: Formatter]>> = {
  plan: {
    enterpriseName: ['企业名称', asText], project: ['竞赛项目', asText], organizer: ['组织方式', asText],
    participants: ['参与人数', asText], startDate: ['开始日期', asDate], endDate: ['结束日期', asDate],
    type: ['竞赛类型', asChoice(COMPETITION_TYPES)], keyProject: ['重点项目', (v) => (v ? '是' : '否')], budgetFen: ['经费预算', asFen],
  },
  summary: {
    actualParticipants: ['实际参与人数', asText], expenditureFen: ['经费支出', asFen],
    awardLevel: ['获奖级别', asChoice(AWARD_LEVELS)], awardName: ['获奖情况', asText],
  },
};

function parse(json: string | null): Record<string, unknown> {
  try {
    return json ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function describe(r: Revision): string {
  const columns = COLUMNS[r.entity] ?? {};
  const when = `${shanghaiDateTimeText(r.createdAt)} ${r.actorName}`;
  if (r.action === 'withdraw') return `${when}：撤回（不再计入统计和导出）`;
  if (r.action === 'restore') return `${when}：恢复`;
  const head = `第${r.version}版 ${when}${r.action === 'admin-edit' ? '（管理员代为修改）' : ''}`;
  if (!r.previousValues) return `${head}：首次提交`;
  const before = parse(r.previousValues);
  const after = parse(r.newValues);
  const changes = Object.entries(columns)
    .filter(([key]) => key in after && before[key] !== after[key])
    .map(([key, [label, format]]) => `${label} ${format(before[key])}→${format(after[key])}`);
  if (before.withdrawn === true && after.withdrawn === false) changes.push('重新提交并恢复');
  return `${head}：${changes.length ? changes.join('；') : '修改'}`;
}

/** Lines describing every version of the plan and its summary, oldest first. */
export async function planHistory(db: Db, plan: Plan): Promise<string[]> {
  const summary = await db.summary.findUnique({ where: { planId: plan.id }, select: { id: true } });
  const [planRevisions, summaryRevisions] = await Promise.all([
    db.revision.findMany({ where: { entity: 'plan', entityId: plan.id }, orderBy: { id: 'asc' } }),
    summary ? db.revision.findMany({ where: { entity: 'summary', entityId: summary.id }, orderBy: { id: 'asc' } }) : Promise.resolve([]),
  ]);
  const lines = [`计划 #${plan.id} ${plan.project}${plan.withdrawnAt ? '（已撤回）' : ''} 的修改记录：`, ...planRevisions.map(describe)];
  if (summaryRevisions.length) lines.push('总结：', ...summaryRevisions.map(describe));
  const progress = await db.progressUpdate.findMany({ where: { planId: plan.id }, orderBy: { id: 'asc' } });
  if (progress.length) {
    lines.push('进度：', ...progress.map((p) => `进度 #${p.id} ${chineseDate(p.date)} ${p.filedBy}：${p.content.length > 30 ? `${p.content.slice(0, 30)}…` : p.content}${p.withdrawnAt ? '（已撤回）' : ''}`));
  }
  return lines;
}
