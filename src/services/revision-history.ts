// Reads the revision log back to people: every version of a plan and of its summary, who filed it,
// when, and what changed. The log stores database values, so they are labelled and formatted here.
import type { Db } from '../store/client.js';
import type { Plan, Revision } from '../store/models.js';
import { COMPETITION_TYPES } from '../forms/plan.js';
import { AWARD_LEVELS, awardsText, parseAwards } from '../forms/summary.js';
import { formatFen } from '../forms/display.js';
import { chineseDate, shanghaiDateTimeText } from '../util/dates.js';

type Formatter = (v: unknown) => string;
const asText: Formatter = (v) => (v === null || v === undefined || v === '' ? '（空）' : String(v));
const asDate: Formatter = (v) => (typeof v === 'string' ? chineseDate(v) : asText(v));
const asFen: Formatter = (v) => (typeof v === 'number' ? formatFen(v) : '（空）');
const asLong: Formatter = (v) => (typeof v === 'string' ? (v.length > 20 ? `「${v.slice(0, 20)}…」` : `「${v}」`) : asText(v));
const asChoice = (options: { value: string; label: string }[]): Formatter => (v) => options.find((o) => o.value === v)?.label ?? asText(v);

const COLUMNS: Record<string, Record<string, [label: string, format: Formatter]>> = {
  plan: {
    enterpriseName: ['企业名称', asText], project: ['竞赛项目', asText], organizer: ['组织方式', asText],
    participants: ['参与人数', asText], participantsText: ['参与人数（范围）', asText], periodText: ['时间安排', asText],
    startDate: ['开始日期', asDate], endDate: ['结束日期', asDate],
    type: ['竞赛类型', asChoice(COMPETITION_TYPES)], keyProject: ['重点项目', (v) => (v ? '是' : '否')],
    // keyProjectId shown by name (filled in by planHistory).
    keyProjectName: ['重点项目名称', asText], budgetFen: ['经费预算', asFen],
  },
  summary: {
    actualParticipants: ['实际参与人数', asText], expenditureFen: ['经费支出', asFen],
    // awards since several per summary; awardLevel and awardName in revisions from before.
    awards: ['获奖情况', (v) => awardsText(parseAwards(typeof v === 'string' ? v : '[]'))],
    awardLevel: ['获奖级别', asChoice([{ value: 'none', label: '无' }, ...AWARD_LEVELS])], awardName: ['获奖情况', asText],
  },
  report: { experiences: ['主要经验', asLong], problems: ['存在问题', asLong], suggestions: ['意见建议', asLong] },
  campaign: {
    title: ['标题', asText], theme: ['主题', asText], planDeadline: ['计划截止', asDate], summaryDeadline: ['总结截止', asDate], reportDeadline: ['年报截止', asDate],
    scopes: ['应交单位', (v) => {
      const s = (v ?? {}) as Record<string, string>;
      const label = (x: string | undefined) => (x === 'direct' ? '直属' : '全部');
      return `计划${label(s.plan)}、总结${label(s.summary)}、年报${label(s.report)}`;
    }],
  },
  unit: {
    name: ['名称', asText], parentName: ['上级', asText], headcount: ['职工数', asText], code: ['编码', asText],
    contactName: ['联系人', asText], contactPhone: ['手机号', asText], archived: ['状态', (v) => (v ? '已删除（归档）' : '正常')],
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
  if (!r.previousValues) return `${head}：${r.entity === 'unit' ? '添加' : '首次提交'}`;
  const before = parse(r.previousValues);
  const after = parse(r.newValues);
  const changes = Object.entries(columns)
    .filter(([key]) => key in after && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    // The highest level follows from the awards, which are listed themselves.
    .filter(([key]) => !(key === 'awardLevel' && 'awards' in after))
    .map(([key, [label, format]]) => `${label} ${format(before[key])}→${format(after[key])}`);
  if (before.withdrawn === true && after.withdrawn === false) changes.push('重新提交并恢复');
  return `${head}：${changes.length ? changes.join('；') : '修改'}`;
}

/** "首次提交于 2027-03-02 10:00，按现行截止日期（2027年3月5日）为按时": late follows the deadline in force. */
function timeliness(what: string, filedAt: Date, late: boolean, deadline: string): string {
  return `${what}首次提交于 ${shanghaiDateTimeText(filedAt)}，按现行截止日期（${chineseDate(deadline)}）为${late ? '逾期' : '按时'}。`;
}

/** Lines describing every version of the plan and its summary, oldest first. */
export async function planHistory(db: Db, plan: Plan): Promise<string[]> {
  const summary = await db.summary.findUnique({ where: { planId: plan.id }, select: { id: true, filedAt: true, late: true } });
  const campaign = await db.campaign.findUniqueOrThrow({ where: { id: plan.campaignId } });
  const [planRevisions, summaryRevisions] = await Promise.all([
    db.revision.findMany({ where: { entity: 'plan', entityId: plan.id }, orderBy: { id: 'asc' } }),
    summary ? db.revision.findMany({ where: { entity: 'summary', entityId: summary.id }, orderBy: { id: 'asc' } }) : Promise.resolve([]),
  ]);
  // The log keeps the key project's id; people read its name.
  const keyNames = new Map((await db.keyProject.findMany({ where: { campaignId: plan.campaignId }, select: { id: true, name: true } })).map((k) => [k.id, k.name]));
  const named = (json: string | null) => {
    const v = parse(json);
    // Versions from before key projects were designated name none (null, not missing, so no false change).
    v.keyProjectName = v.keyProjectId === null || v.keyProjectId === undefined ? null : keyNames.get(v.keyProjectId as number) ?? `#${String(v.keyProjectId)}`;
    return JSON.stringify(v);
  };
  const described = planRevisions.map((r) => describe({ ...r, previousValues: r.previousValues ? named(r.previousValues) : null, newValues: named(r.newValues) }));
  const lines = [`计划 #${plan.id} ${plan.project}${plan.withdrawnAt ? '（已撤回）' : ''} 的修改记录：`, timeliness('计划', plan.filedAt, plan.late, campaign.planDeadline), ...described];
  if (summaryRevisions.length) lines.push('总结：', ...(summary ? [timeliness('总结', summary.filedAt, summary.late, campaign.summaryDeadline)] : []), ...summaryRevisions.map(describe));
  const progress = await db.progressUpdate.findMany({ where: { planId: plan.id }, orderBy: { id: 'asc' } });
  if (progress.length) {
    lines.push('进度：', ...progress.map((p) => `进度 #${p.id} ${chineseDate(p.date)} ${p.filedBy}：${p.content.length > 30 ? `${p.content.slice(0, 30)}…` : p.content}${p.withdrawnAt ? '（已撤回）' : ''}`));
  }
  return lines;
}

const UNIT_ACTIONS: Record<string, string> = {
  add: '添加', 'import-add': '导入添加', rename: '改名', move: '移动', 'import-move': '导入时移动', set: '修改', 'import-set': '导入时修改', remove: '删除（归档）', restore: '恢复',
};

/** Every change to a unit (admins: "/history 单位 <名称>"), with parent ids shown as names. */
export async function unitHistory(db: Db, unitId: number, unitName: string): Promise<string[]> {
  const revisions = await db.revision.findMany({ where: { entity: 'unit', entityId: unitId }, orderBy: { id: 'asc' } });
  const names = new Map((await db.unit.findMany({ select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  const withParent = (json: string | null) => {
    const v = parse(json);
    if ('parentId' in v) v.parentName = v.parentId === null ? '无' : names.get(v.parentId as number) ?? `#${String(v.parentId)}`;
    return JSON.stringify(v);
  };
  const lines = [`单位「${unitName}」的修改记录：`];
  for (const r of revisions) {
    const described = describe({ ...r, previousValues: r.previousValues ? withParent(r.previousValues) : null, newValues: withParent(r.newValues) });
    lines.push(`${UNIT_ACTIONS[r.action] ?? r.action} · ${described.replace(/^第\d+版 /, '')}`);
  }
  if (revisions.length === 0) lines.push('（没有记录）');
  return lines;
}

/** Every version of a unit's year-end report. */
export async function reportHistory(db: Db, reportId: number, label: string): Promise<string[]> {
  const revisions = await db.revision.findMany({ where: { entity: 'report', entityId: reportId }, orderBy: { id: 'asc' } });
  const report = await db.yearReport.findUniqueOrThrow({ where: { id: reportId }, include: { campaign: true } });
  return [`${label}的修改记录：`, timeliness('年报', report.filedAt, report.late, report.campaign.reportDeadline), ...revisions.map(describe)];
}

/** Every change to a campaign's deadlines, title and scopes (admins: "/history 竞赛"). */
export async function campaignHistory(db: Db, campaignId: number, label: string): Promise<string[]> {
  const revisions = await db.revision.findMany({ where: { entity: 'campaign', entityId: campaignId }, orderBy: { id: 'asc' } });
  return [`${label}的修改记录：`, ...(revisions.length ? revisions.map(describe) : ['（创建以来没有修改）'])];
}
