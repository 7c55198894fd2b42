// A campaign (the year's competition, or a special one beside it), the unit running it, and its three deadlines.
import type { Db, Tx } from '../store/client.js';
import type { Campaign } from '../store/models.js';
import { chineseDate, daysBetween, endOfShanghaiDay, isoDate, lastDayOfMonth, shanghaiDate } from '../util/dates.js';
import type { FormName } from '../forms/types.js';
import { sql } from '../store/sql.js';

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

/** The unit and every unit above it, nearest first. */
async function selfAndAncestors(db: Db | Tx, unitId: number): Promise<number[]> {
  const units = await db.unit.findMany({ select: { id: true, parentId: true } });
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const out: number[] = [];
  for (let id: number | null | undefined = unitId; id != null && !out.includes(id); id = parent.get(id)) out.push(id);
  return out;
}

/**
 * Campaigns a unit takes part in: those run by it or by a unit above it (and campaigns from before
 * campaigns had owners). Newest year first; in one year, the first created (the annual campaign,
 * normally) before special ones.
 */
export async function campaignsForUnit(db: Db | Tx, unitId: number): Promise<Campaign[]> {
  const owners = await selfAndAncestors(db, unitId);
  return db.campaign.findMany({ where: { OR: [{ unitId: { in: owners } }, { unitId: null }] }, orderBy: [{ year: 'desc' }, { id: 'asc' }] });
}

/** Campaigns run by exactly this unit. */
export function campaignsRunBy(db: Db, unitId: number): Promise<Campaign[]> {
  return db.campaign.findMany({ where: { unitId }, orderBy: [{ year: 'desc' }, { id: 'asc' }] });
}

/** The latest campaign a unit takes part in; without a unit (an admin in a private chat), the latest of all. */
export async function latestCampaign(db: Db | Tx, unitId?: number | null): Promise<Campaign | null> {
  if (unitId != null) return (await campaignsForUnit(db, unitId))[0] ?? null;
  return db.campaign.findFirst({ orderBy: [{ year: 'desc' }, { id: 'asc' }] });
}

/** The units a campaign covers from: its owner, or every top-level unit for an unowned (older) campaign. */
export async function campaignRoots(db: Db, campaign: Campaign): Promise<number[]> {
  if (campaign.unitId !== null) return [campaign.unitId];
  const tops = await sql(db)<{ id: number }>`SELECT "id" FROM "Unit" WHERE "parentId" IS NULL AND "archivedAt" IS NULL ORDER BY "id"`;
  return tops.map((t) => Number(t.id));
}

/** Whether the unit is in the campaign's tree (its owner or below it). */
export async function campaignCovers(db: Db | Tx, campaign: Campaign, unitId: number): Promise<boolean> {
  if (campaign.unitId === null) return true;
  return (await selfAndAncestors(db, unitId)).includes(campaign.unitId);
}

/** A campaign's name with its year, said once: the title when it names the year, else "标题（2027年度）". */
export function campaignName(c: Pick<Campaign, 'title' | 'year'>): string {
  return c.title.includes(`${c.year}年`) ? c.title : `${c.title}（${c.year}年度）`;
}

/** "#3 2027年度职工劳动和技能竞赛" — how a campaign is named in lists. */
export function campaignLabel(c: Campaign): string {
  return `#${c.id} ${campaignName(c)}`;
}

/**
 * The campaign a word names among `candidates`: a year (when it names exactly one), its number
 * (#3, 编号3) or its title. Otherwise the reason, listing the choices.
 */
export function pickCampaign(candidates: Campaign[], word: string): { campaign: Campaign } | { error: string } {
  const list = () => candidates.map((c) => `· ${campaignLabel(c)}`).join('\n');
  const t = word.trim().replace(/[\uFF10-\uFF19]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
  const id = t.match(/^(?:#|＃|编号[=＝]?|No\.?)\s*(\d+)$/i);
  if (id) {
    const c = candidates.find((x) => x.id === Number(id[1]));
    return c ? { campaign: c } : { error: `没有编号为 ${id[1]} 的竞赛。可选：\n${list()}` };
  }
  const year = parseYear(t);
  if (year !== null) {
    const inYear = candidates.filter((c) => c.year === year);
    if (inYear.length === 1) return { campaign: inYear[0] };
    if (!inYear.length) return { error: `没有${year}年度的竞赛。${candidates.length ? `可选：\n${list()}` : '请先发送“/竞赛 创建 年度”'}` };
    return { error: `${year}年度有 ${inYear.length} 项竞赛，请写编号（例如 #${inYear[0].id}）或标题：\n${inYear.map((c) => `· ${campaignLabel(c)}`).join('\n')}` };
  }
  const byTitle = candidates.filter((c) => c.title === t);
  if (byTitle.length === 1) return { campaign: byTitle[0] };
  return { error: `没有找到「${word}」这项竞赛。请写年度、编号（例如 #${candidates[0]?.id ?? 1}）或完整标题。${candidates.length ? `可选：\n${list()}` : ''}` };
}

/** Plan, then summary, then report; null when the order is right. */
export function deadlineOrderError(d: { planDeadline: string; summaryDeadline: string; reportDeadline: string }): string | null {
  if (d.planDeadline <= d.summaryDeadline && d.summaryDeadline <= d.reportDeadline) return null;
  return `截止日期的先后不对：计划截止（${chineseDate(d.planDeadline)}）应早于总结截止（${chineseDate(d.summaryDeadline)}），总结截止应早于年报截止（${chineseDate(d.reportDeadline)}）`;
}

export interface CreateCampaignInput {
  year: number;
  /** The unit running it (null only while no unit exists yet). */
  unitId: number | null;
  title?: string;
  theme?: string;
  planDeadline?: string;
  summaryDeadline?: string;
  reportDeadline?: string;
  /** Settings JSON (filing scopes given at creation). */
  settings?: string;
}

/**
 * The title a campaign gets when none is given, naming the federation the way its documents do:
 * 测试区总工会 → "2027年度测试区职工劳动和技能竞赛" (a forwarded table says whose competition it is).
 */
export function defaultTitle(year: number, unitName: string | null): string {
  const place = unitName?.replace(/(?:总工会|工会|工会委员会)$/, '') ?? '';
  return `${year}年度${place}职工劳动和技能竞赛`;
}

export async function createCampaign(db: Db, input: CreateCampaignInput): Promise<{ ok: true; campaign: Campaign } | { ok: false; message: string }> {
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) return { ok: false, message: '年度请写四位数字，例如：/竞赛 创建 2027' };
  const title = input.title?.trim() || defaultTitle(input.year, input.unitId === null ? null : (await db.unit.findUnique({ where: { id: input.unitId }, select: { name: true } }))?.name ?? null);
  // Several campaigns may share a year (the annual one and a special one); the same one twice is a slip.
  const twin = await db.campaign.findFirst({ where: { unitId: input.unitId, year: input.year, title } });
  if (twin) return { ok: false, message: `${input.year}年度的「${title}」已经创建过了（#${twin.id}），发送“/竞赛”查看。另办一项竞赛请写不同的 标题=…` };
  const d = defaultDeadlines(input.year);
  const dates = { planDeadline: input.planDeadline ?? d.plan, summaryDeadline: input.summaryDeadline ?? d.summary, reportDeadline: input.reportDeadline ?? d.report };
  const order = deadlineOrderError(dates);
  if (order) return { ok: false, message: order };
  const campaign = await db.campaign.create({
    data: { year: input.year, unitId: input.unitId, title, theme: input.theme ?? null, ...dates, ...(input.settings ? { settings: input.settings } : {}) },
  });
  return { ok: true, campaign };
}

/**
 * Re-derives every late mark of the campaign from when each filing was first made and the deadline
 * now in force (a filing made on the deadline day is on time). Run with the deadline change, in its
 * transaction, so no reader sees the new date with the old marks.
 */
export async function recomputeLateMarks(tx: Tx, campaign: Campaign): Promise<{ nowOnTime: number; nowLate: number }> {
  const cut = (form: DeadlineForm) => endOfShanghaiDay(deadlineOf(campaign, form));
  const id = campaign.id;
  // One after the other: an interactive transaction runs one statement at a time anyway.
  const counts = [
    await tx.plan.updateMany({ where: { campaignId: id, late: true, filedAt: { lt: cut('plan') } }, data: { late: false } }),
    await tx.summary.updateMany({ where: { plan: { campaignId: id }, late: true, filedAt: { lt: cut('summary') } }, data: { late: false } }),
    await tx.yearReport.updateMany({ where: { campaignId: id, late: true, filedAt: { lt: cut('report') } }, data: { late: false } }),
  ];
  const late = [
    await tx.plan.updateMany({ where: { campaignId: id, late: false, filedAt: { gte: cut('plan') } }, data: { late: true } }),
    await tx.summary.updateMany({ where: { plan: { campaignId: id }, late: false, filedAt: { gte: cut('summary') } }, data: { late: true } }),
    await tx.yearReport.updateMany({ where: { campaignId: id, late: false, filedAt: { gte: cut('report') } }, data: { late: true } }),
  ];
  return { nowOnTime: counts.reduce((n, c) => n + c.count, 0), nowLate: late.reduce((n, c) => n + c.count, 0) };
}

export interface Rebound {
  chat: string;
  from: string;
  /** The campaign the group now works in, or null when the new tree has none yet. */
  to: string | null;
}

/**
 * After a unit moved to another federation's tree, the groups bound to it (or to units under it)
 * still point at the old federation's campaign, which no longer covers them: they follow to the new
 * tree's latest campaign. Filings already made stay in the campaign they were made in.
 */
export async function rebindAfterMove(db: Db | Tx, unitId: number): Promise<Rebound[]> {
  const units = await db.unit.findMany({ select: { id: true, parentId: true } });
  const children = new Map<number, number[]>();
  for (const u of units) if (u.parentId !== null) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const ids: number[] = [];
  for (const stack = [unitId]; stack.length; ) {
    const id = stack.pop()!;
    ids.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  const wanted = new Set(ids);
  const bindings = (await db.chatBinding.findMany({ include: { campaign: true } })).filter((b) => wanted.has(b.unitId));
  const out: Rebound[] = [];
  for (const b of bindings) {
    if (await campaignCovers(db, b.campaign, b.unitId)) continue;
    const next = await latestCampaign(db, b.unitId);
    if (next) await db.chatBinding.update({ where: { id: b.id }, data: { campaignId: next.id } });
    out.push({ chat: b.topic ?? b.chatId, from: b.campaign.title, to: next ? next.title : null });
  }
  return out;
}
