// The roll-call a group sees: who of the units it answers for has filed, who has not (by name),
// who filed late, what is due and how to file. Reminder jobs, /remind and /missing all build on
// this one computation (roll-call.ts decides who filed; this file only words it).
import type { Db } from '../db/client.js';
import type { Campaign, Member } from '../generated/sqlite/index.js';
import type { Platform, TextReply, UserRef } from '../core/messages.js';
import { text } from '../core/messages.js';
import { DEADLINE_FORMS, DEADLINE_LABELS, daysLeft, deadlineOf, type DeadlineForm } from './campaigns.js';
import { expectedUnits, rollCall, summarize, type RollCallSummary, type UnitRollCall } from './roll-call.js';
import { chineseDate, chineseDateWithWeekday, shanghaiDate } from '../util/dates.js';

/** The command that files each form. */
export const FILE_COMMANDS: Record<DeadlineForm, string> = { plan: '/plan', summary: '/summary', report: '/report' };

const FORM_WORDS: Record<string, DeadlineForm> = {
  plan: 'plan', 计划: 'plan', 备案: 'plan', 计划备案: 'plan',
  summary: 'summary', 总结: 'summary', 总结表: 'summary',
  report: 'report', 年报: 'report', 报告: 'report', 年度报告: 'report',
};

/** Reads the optional form argument; without one, the first deadline not yet passed (else the year-end report). */
export function pickForm(campaign: Campaign, now: Date, word?: string): DeadlineForm | { error: string } {
  if (word) {
    const form = FORM_WORDS[word.toLowerCase()];
    return form ?? { error: `不认识「${word}」。请写 plan（计划备案）、summary（总结表）或 report（年度报告），例如：/missing plan` };
  }
  const today = shanghaiDate(now);
  return DEADLINE_FORMS.find((f) => deadlineOf(campaign, f) >= today) ?? 'report';
}

/** Who in the group's units has filed `form`, decided now. */
export async function groupRollCall(db: Db, campaign: Campaign, groupUnitId: number, form: DeadlineForm): Promise<RollCallSummary> {
  const units = await expectedUnits(db, groupUnitId);
  return summarize(await rollCall(db, campaign, units), form);
}

function names(rows: UnitRollCall[]): string {
  return rows.map((r) => r.unit.name).join('、');
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
}

/** The reminder / 催交 message: roll-call text with @mentions of the missing units' filers. */
export function rollCallMessage(campaign: Campaign, summary: RollCallSummary, opts: RollCallMessageOptions): TextReply {
  const form = summary.form;
  const label = DEADLINE_LABELS[form];
  const overdue = daysLeft(deadlineOf(campaign, form), opts.now) < 0;
  const lines = [`⏰ 【${label}】${overdue ? '逾期催交' : '催交提醒'}（${campaign.year}年度）`, dueLine(campaign, form, opts.now)];
  lines.push(`已交 ${summary.filed.length}/${summary.total} 个单位`);
  lines.push(`未交（${summary.missing.length}）：${names(summary.missing)}`);
  if (summary.late.length) lines.push(`逾期提交（${summary.late.length}）：${names(summary.late)}`);
  const noFiler = summary.missing.filter((r) => !r.filers.some((m) => m.platform === opts.platform));
  if (noFiler.length) lines.push(`尚未登记联络员：${names(noFiler)}（请该单位同志发送“/join 单位名称”登记）`);
  if (opts.holiday) {
    const h = opts.holiday;
    lines.push(`⚠️ 截止日正值${h.name}假期（${chineseDate(h.start)}至${chineseDate(h.end)}${h.estimated ? '，预估，以国务院通知为准' : ''}），假期中不再提醒，请在放假前完成提交。`);
  }
  lines.push(`请未交单位的联络员在本群发送 ${FILE_COMMANDS[form]} 提交${label}${overdue ? '，逾期也请尽快补交' : ''}。`);
  if (opts.catchUp) lines.push('（系统恢复后补发：停机期间错过的提醒合并为这一条）');
  return text(lines.join('\n'), filersToMention(summary, opts.platform));
}

/** /missing: who has not filed, per unit with its filers' names, no mentions. */
export function missingText(campaign: Campaign, summary: RollCallSummary, now: Date): string {
  const form = summary.form;
  const lines = [`【${DEADLINE_LABELS[form]}】未交名单（${campaign.year}年度）`, dueLine(campaign, form, now), `已交 ${summary.filed.length}/${summary.total} 个单位`];
  if (!summary.total) {
    lines.push('本群单位下面还没有需要填报的单位。管理员可用 /unit add 单位名称 上级=本单位 添加。');
    return lines.join('\n');
  }
  if (!summary.missing.length) {
    lines.push('✅ 全部单位都已提交。');
  } else {
    lines.push(`未交（${summary.missing.length}）：`);
    for (const row of summary.missing) {
      const filers = row.filers.map((m) => m.name).join('、');
      lines.push(`· ${row.unit.name} — ${filers ? `联络员：${filers}` : '未登记联络员'}`);
    }
  }
  if (summary.late.length) lines.push(`逾期提交（${summary.late.length}）：${names(summary.late)}`);
  return lines.join('\n');
}
