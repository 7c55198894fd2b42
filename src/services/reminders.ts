// The roll-call a group sees: who of the units it answers for has filed, who has not (by name),
// who filed late, what is due and how to file. Reminder jobs, /remind and /missing all build on
// this one computation (roll-call.ts decides who filed; this file only words it).
import type { Db } from '../store/client.js';
import { sql } from '../store/sql.js';
import type { Campaign, Member } from '../store/models.js';
import type { Platform, TextReply, UserRef } from '../core/messages.js';
import { text } from '../core/messages.js';
import { DEADLINE_FORMS, DEADLINE_LABELS, daysLeft, deadlineOf, type DeadlineForm } from './campaigns.js';
import { parseCampaignSettings } from './campaign-settings.js';
import { groupRollCall, partialLabel, summarize, type RollCallSummary, type UnitRollCall } from './roll-call.js';
import { chineseDate, chineseDateWithWeekday, shanghaiDate } from '../util/dates.js';

/** The command that files each form. */
export const FILE_COMMANDS: Record<DeadlineForm, string> = { plan: '/计划', summary: '/总结', report: '/年报' };

const FORM_WORDS: Record<string, DeadlineForm> = {
  plan: 'plan', 计划: 'plan', 备案: 'plan', 计划备案: 'plan',
  summary: 'summary', 总结: 'summary', 总结表: 'summary',
  report: 'report', 年报: 'report', 报告: 'report', 年度报告: 'report',
};

/** The form a word names (plan, 计划, 总结 …), or null. */
export function formOf(word: string): DeadlineForm | null {
  return FORM_WORDS[word.toLowerCase()] ?? null;
}

/**
 * The form a plain /missing or /remind is about: a deadline that has passed while units of this
 * group are still missing (the most recent such), else the next deadline ahead, else the year-end
 * report. A passed deadline everyone met is done with and does not hold the answer back.
 */
export async function pickForm(db: Db, campaign: Campaign, groupUnitId: number, now: Date, word?: string): Promise<DeadlineForm | { error: string }> {
  if (word) {
    return formOf(word) ?? { error: `不认识「${word}」。请写 计划、总结 或 年报，例如：/未交 计划` };
  }
  const today = shanghaiDate(now);
  const rows = await groupRollCall(db, campaign, groupUnitId);
  // Forms the campaign does not ask of anyone in this group are none of its business.
  const asked = DEADLINE_FORMS.filter((f) => summarize(rows, f).total > 0);
  const overdue = asked.filter((f) => deadlineOf(campaign, f) < today && summarize(rows, f).missing.length > 0);
  if (overdue.length) return overdue.reduce((a, b) => (deadlineOf(campaign, a) > deadlineOf(campaign, b) ? a : b));
  return asked.find((f) => deadlineOf(campaign, f) >= today) ?? asked[asked.length - 1] ?? 'report';
}

/** Why a roll-call has nobody in it: the campaign's scope leaves this group out, or it has no units yet. */
export function noneAskedText(campaign: Campaign, form: DeadlineForm): string {
  if (parseCampaignSettings(campaign.settings).scopes[form] === 'direct') {
    return `本竞赛的${DEADLINE_LABELS[form]}只需组织单位的直属单位提交，本群单位不在其中，不用交。`;
  }
  return '本群单位下面还没有需要填报的单位。管理员可发送“/单位 添加 单位名称 上级=本单位”添加。';
}

/** Who in the group's units has filed `form`, decided now. */
export async function groupSummary(db: Db, campaign: Campaign, groupUnitId: number, form: DeadlineForm): Promise<RollCallSummary> {
  return summarize(await groupRollCall(db, campaign, groupUnitId), form);
}

/** Unit names, a partly summarised one marked: "东城街道工会（部分提交 1/7）". */
function names(rows: UnitRollCall[], form: DeadlineForm): string {
  return rows.map((r) => {
    const partial = partialLabel(r, form);
    return partial ? `${r.unit.name}（${partial}）` : r.unit.name;
  }).join('、');
}

function dueLine(campaign: Campaign, form: DeadlineForm, now: Date): string {
  const deadline = deadlineOf(campaign, form);
  const days = daysLeft(deadline, now);
  const when = days > 0 ? `还有 ${days} 天` : days === 0 ? '今天截止' : `已逾期 ${-days} 天`;
  return `截止：${chineseDateWithWeekday(deadline)} 24:00 前（${when}）`;
}

/** Filers of the missing units who can be @mentioned in a chat on `platform`. */
export function filersToMention(summary: RollCallSummary, platform: Platform): UserRef[] {
  const seen = new Set<string>();
  const out: UserRef[] = [];
  for (const row of summary.missing) {
    for (const m of row.filers as Member[]) {
      if (m.platform !== platform || seen.has(m.userId)) continue;
      seen.add(m.userId);
      out.push({ userId: m.userId, userName: m.name });
    }
  }
  return out;
}

export interface RollCallMessageOptions {
  platform: Platform;
  now: Date;
  /** The deadline lies in a holiday that starts before the next reminder. */
  holiday?: { name: string; start: string; end: string; estimated?: boolean };
  /** Stages missed while the bot was down, sent once now. */
  catchUp?: boolean;
  /** How the campaign is named in the heading (see campaignTag). */
  tag?: string;
}

/** "2027年度", or the campaign's title when another campaign shares its year (the group must know which). */
export async function campaignTag(db: Db, campaign: Campaign): Promise<string> {
  const [{ others }] = await sql(db)<{ others: number | bigint }>`SELECT COUNT(*) AS "others" FROM "Campaign" WHERE "year" = ${campaign.year} AND "id" <> ${campaign.id}`;
  return Number(others) ? campaign.title : `${campaign.year}年度`;
}

/** The reminder / 催交 message: roll-call text with @mentions of the missing units' filers. */
export function rollCallMessage(campaign: Campaign, summary: RollCallSummary, opts: RollCallMessageOptions): TextReply {
  const form = summary.form;
  const label = DEADLINE_LABELS[form];
  const overdue = daysLeft(deadlineOf(campaign, form), opts.now) < 0;
  const lines = [`⏰ 【${label}】${overdue ? '逾期催交' : '催交提醒'}（${opts.tag ?? `${campaign.year}年度`}）`, dueLine(campaign, form, opts.now)];
  lines.push(`已交 ${summary.filed.length}/${summary.total} 个单位`);
  lines.push(`未交（${summary.missing.length}）：${names(summary.missing, form)}`);
  if (summary.late.length) lines.push(`逾期提交（${summary.late.length}）：${names(summary.late, form)}`);
  const noFiler = summary.missing.filter((r) => !r.filers.some((m) => m.platform === opts.platform));
  if (noFiler.length) lines.push(`尚未登记联络员：${names(noFiler, form)}（请该单位同志发送“/加入 单位名称”登记）`);
  if (opts.holiday) {
    const h = opts.holiday;
    lines.push(`⚠️ 截止日正值${h.name}假期（${chineseDate(h.start)}至${chineseDate(h.end)}${h.estimated ? '，预估，以国务院通知为准' : ''}），假期中不再提醒，请在放假前完成提交。`);
  }
  lines.push(`请未交单位的联络员在本群发送“${FILE_COMMANDS[form]}”提交${label}${overdue ? '，逾期也请尽快补交' : ''}。`);
  if (opts.catchUp) lines.push('（系统恢复后补发：停机期间错过的提醒合并为这一条）');
  return text(lines.join('\n'), filersToMention(summary, opts.platform));
}

/** /missing: who has not filed, per unit with its filers' names, no mentions. */
export function missingText(campaign: Campaign, summary: RollCallSummary, now: Date, tag = `${campaign.year}年度`): string {
  const form = summary.form;
  const lines = [`【${DEADLINE_LABELS[form]}】未交名单（${tag}）`, dueLine(campaign, form, now), `已交 ${summary.filed.length}/${summary.total} 个单位`];
  if (!summary.total) {
    lines.push(noneAskedText(campaign, form));
    return lines.join('\n');
  }
  if (!summary.missing.length) {
    lines.push('✅ 全部单位都已提交。');
  } else {
    lines.push(`未交（${summary.missing.length}）：`);
    for (const row of summary.missing) {
      const filers = row.filers.map((m) => m.name).join('、');
      const partial = partialLabel(row, form);
      lines.push(`· ${row.unit.name} — ${partial ? `${partial}；` : ''}${filers ? `联络员：${filers}` : '未登记联络员'}`);
    }
  }
  if (summary.late.length) lines.push(`逾期提交（${summary.late.length}）：${names(summary.late, form)}`);
  return lines.join('\n');
}

/** Most missing units listed by /missing all before it points to the Excel export. */
const MAX_LISTED = 150;

/**
 * /missing all: every level below the group's unit, grouped by the unit above, with counts; each
 * unit is counted for itself as the campaign's scope asks.
 */
export function missingAllText(campaign: Campaign, rows: UnitRollCall[], form: DeadlineForm, now: Date, units: Map<number, string>, tag = `${campaign.year}年度`): string {
  const summary = summarize(rows, form);
  const lines = [`【${DEADLINE_LABELS[form]}】未交名单（全部层级，${tag}）`, dueLine(campaign, form, now), `合计：已交 ${summary.filed.length}/${summary.total} 个单位`];
  if (!summary.total) {
    lines.push('本群单位下面没有需要提交的单位。');
    return lines.join('\n');
  }
  // Grouped by the unit above; the group's own unit (when it files itself) heads the list on its own.
  const groups = new Map<number | 'self', UnitRollCall[]>();
  for (const r of rows.filter((x) => x.expected[form])) {
    const key = r.self || r.unit.parentId === null ? 'self' : r.unit.parentId;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  let listed = 0;
  for (const [key, group] of groups) {
    const done = group.filter((r) => r.status[form].filed).length;
    const heading = key === 'self' ? '本单位' : `${units.get(key) ?? '（上级）'} 下属`;
    lines.push(`▸ ${heading}：已交 ${done}/${group.length}${done === group.length ? ' ✅' : ''}`);
    for (const row of group.filter((r) => !r.status[form].filed)) {
      if (listed++ >= MAX_LISTED) continue;
      const filers = row.filers.map((m) => m.name).join('、');
      const partial = partialLabel(row, form);
      lines.push(`  · ${row.unit.name} — ${partial ? `${partial}；` : ''}${filers ? `联络员：${filers}` : '未登记联络员'}`);
    }
  }
  if (listed > MAX_LISTED) lines.push(`……另有 ${listed - MAX_LISTED} 个单位未交，完整名单请发送“/导出”下载表格。`);
  if (summary.late.length) lines.push(`逾期提交 ${summary.late.length} 个单位。`);
  return lines.join('\n');
}
