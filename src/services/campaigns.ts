// A year's competition and its three deadlines.
import type { Db } from '../db/client.js';
import type { Campaign } from '../generated/sqlite/index.js';
import { chineseDate, daysBetween, endOfShanghaiDay, isoDate, lastDayOfMonth, shanghaiDate } from '../util/dates.js';
import type { FormName } from '../forms/types.js';

/** Forms that have a campaign deadline (progress updates have none). */
export type DeadlineForm = 'plan' | 'summary' | 'report';
export const DEADLINE_FORMS: DeadlineForm[] = ['plan', 'summary', 'report'];
export const DEADLINE_LABELS: Record<DeadlineForm, string> = { plan: '计划备案', summary: '总结表', report: '年度报告' };

export function defaultDeadlines(year: number) {
  return { plan: lastDayOfMonth(year, 2), summary: isoDate(year, 10, 15), report: isoDate(year, 12, 31) };
}

export function deadlineOf(campaign: Campaign, form: DeadlineForm): string {
  return form === 'plan' ? campaign.planDeadline : form === 'summary' ? campaign.summaryDeadline : campaign.reportDeadline;
}

/** A filing is late when it arrives after the end of the deadline day in Shanghai. */
export function isLate(campaign: Campaign, form: FormName, at: Date): boolean {
  if (form === 'progress') return false;
  return at.getTime() >= endOfShanghaiDay(deadlineOf(campaign, form)).getTime();
}

export function daysLeft(deadline: string, now: Date): number {
  return daysBetween(shanghaiDate(now), deadline);
}

export function describeDaysLeft(days: number): string {
  if (days > 0) return `还有 ${days} 天`;
  if (days === 0) return '就是今天';
  return `已过 ${-days} 天`;
}

/** A year as people type it in commands: "2027", "2027年", "2027年度", full-width digits. */
export function parseYear(raw: string | undefined): number | null {
  if (!raw) return null;
  const s = raw.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();
  const m = s.match(/^(\d{4})(?:年度?)?$/);
  return m ? Number(m[1]) : null;
}

export function latestCampaign(db: Db): Promise<Campaign | null> {
  return db.campaign.findFirst({ orderBy: { year: 'desc' } });
}

/** Plan, then summary, then report; null when the order is right. */
export function deadlineOrderError(d: { planDeadline: string; summaryDeadline: string; reportDeadline: string }): string | null {
  if (d.planDeadline <= d.summaryDeadline && d.summaryDeadline <= d.reportDeadline) return null;
  return `截止日期的先后不对：计划截止（${chineseDate(d.planDeadline)}）应早于总结截止（${chineseDate(d.summaryDeadline)}），总结截止应早于年报截止（${chineseDate(d.reportDeadline)}）`;
}

export interface CreateCampaignInput {
  year: number;
  title?: string;
  theme?: string;
  planDeadline?: string;
  summaryDeadline?: string;
  reportDeadline?: string;
}

export async function createCampaign(db: Db, input: CreateCampaignInput): Promise<{ ok: true; campaign: Campaign } | { ok: false; message: string }> {
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) return { ok: false, message: '年度请写四位数字，例如：/campaign add 2027' };
  if (await db.campaign.findUnique({ where: { year: input.year } })) return { ok: false, message: `${input.year}年度的竞赛已经创建过了，发送 /campaign 查看` };
  const d = defaultDeadlines(input.year);
  const dates = { planDeadline: input.planDeadline ?? d.plan, summaryDeadline: input.summaryDeadline ?? d.summary, reportDeadline: input.reportDeadline ?? d.report };
  const order = deadlineOrderError(dates);
  if (order) return { ok: false, message: order };
  const campaign = await db.campaign.create({
    data: { year: input.year, title: input.title?.trim() || `${input.year}年度职工劳动和技能竞赛`, theme: input.theme ?? null, ...dates },
  });
  return { ok: true, campaign };
}
