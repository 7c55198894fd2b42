// /campaign: the group's campaign and the campaigns its unit runs; /campaign add <年度> … creates one
// for the group's unit (or 单位=…); /campaign set 计划截止=… (admin).
import { withScheduleNote } from '../src/core/wording.js';
import { defineCommand, inChinese, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { coerceDate } from '../src/forms/coerce.js';
import { campaignLabel, campaignsForUnit, createCampaign, DEADLINE_FORMS, DEADLINE_LABELS, deadlineOf, deadlineOrderError, parseYear, recomputeLateMarks } from '../src/services/campaigns.js';
import { filingScopesSchema, parseCampaignSettings, SCOPE_LABELS, withFilingScopes, type FilingScope, type FilingScopes } from '../src/services/campaign-settings.js';
import { actorOf } from '../src/services/members.js';
import { inTransaction } from '../src/store/client.js';
import { findUnitByName, similarUnitNames } from '../src/services/units.js';
import { campaignNumberArg, campaignToChange, currentCampaign } from '../src/services/current-campaign.js';
import { chineseDate, chineseDateWithWeekday, shanghaiDate } from '../src/util/dates.js';
import type { Campaign } from '../src/store/models.js';
import { calendarAlertText, calendarGaps } from '../jobs/calendar-alerts.js';
import { loadCalendar } from '../jobs/working-days.js';

const DATE_OPTIONS = { 计划截止: 'planDeadline', 总结截止: 'summaryDeadline', 年报截止: 'reportDeadline' } as const;
const USAGE = '/竞赛 创建 <年度> [标题=…] [计划截止=YYYY-MM-DD] [总结截止=YYYY-MM-DD] [年报截止=YYYY-MM-DD] [单位=…]';
const KNOWN_OPTIONS = ['标题', '主题', '单位', '计划范围', '总结范围', '年报范围', ...Object.keys(DATE_OPTIONS)];

/** A mistyped option (总结截至=…) would otherwise be ignored and the default used without a word. */
function optionProblem(ctx: CommandContext, positional: number): string | null {
  const unknown = Object.keys(ctx.options).filter((k) => !KNOWN_OPTIONS.includes(k));
  if (unknown.length) return `不认识的选项：${unknown.map((k) => `${k}=`).join('、')}。可用的选项：${KNOWN_OPTIONS.map((k) => `${k}=`).join('、')}`;
  const extra = ctx.args.slice(positional);
  if (extra.length) return `多出了“${extra.join(' ')}”。标题等选项的值里不要有空格，例如：标题=2027年度建功新时代劳动竞赛`;
  return null;
}

function describe(c: Campaign & { unit?: { name: string } | null }): string {
  const lines = [campaignLabel(c)];
  if (c.unit) lines.push(`组织单位：${c.unit.name}`);
  if (c.theme) lines.push(`主题：${c.theme}`);
  for (const form of DEADLINE_FORMS) lines.push(`${DEADLINE_LABELS[form]}截止：${chineseDateWithWeekday(deadlineOf(c, form))}`);
  return lines.join('\n');
}

/** Reads 计划截止=… style options into ISO dates, or the first error. */
function readDates(options: Record<string, string>, year: number): { dates: Partial<Record<(typeof DATE_OPTIONS)[keyof typeof DATE_OPTIONS], string>> } | { error: string } {
  const dates: Record<string, string> = {};
  for (const [label, key] of Object.entries(DATE_OPTIONS)) {
    if (options[label] === undefined) continue;
    const d = coerceDate(options[label], year);
    if (!d.ok) return { error: `${label}：${d.message}` };
    const y = Number(d.value.slice(0, 4));
    if (y < year - 1 || y > year + 1) return { error: `${label}：${chineseDate(d.value)}不在${year}年度前后，请核对年份，例如 ${label}=${year}-03-05` };
    dates[key] = d.value;
  }
  return { dates };
}

/** Who runs a new campaign: 单位=…, else the group's unit, else the only top-level unit. */
async function ownerOf(ctx: CommandContext): Promise<{ unitId: number | null } | { error: string }> {
  const db = ctx.app.db;
  const named = ctx.options['单位'];
  if (named !== undefined) {
    const unit = await findUnitByName(db, named);
    if (unit?.archivedAt) return { error: `单位：「${unit.name}」已删除（归档），不能组织竞赛。` };
    if (!unit) {
      const similar = await similarUnitNames(db, named);
      return { error: `单位：没有找到「${named}」。${similar.length ? `您要找的是不是：${similar.join('、')}？` : '请检查名称，或先发送“/单位 添加 单位名称”添加。'}` };
    }
    return { unitId: unit.id };
  }
  if (ctx.binding) return { unitId: ctx.binding.unitId };
  const tops = await db.unit.findMany({ where: { parentId: null, archivedAt: null }, orderBy: { id: 'asc' } });
  if (tops.length <= 1) return { unitId: tops[0]?.id ?? null };
  return { error: `有 ${tops.length} 个顶级单位（${tops.map((t) => t.name).join('、')}），请写明由哪个单位组织，例如：/竞赛 创建 ${ctx.args[1] ?? '2027'} 单位=${tops[0].name}` };
}

async function add(ctx: CommandContext): Promise<Reply[]> {
  const year = parseYear(ctx.args[1]);
  if (year === null) return [text(`请写四位数的年度，例如：/竞赛 创建 2027 标题=2027年度“建功新时代”劳动竞赛\n用法：${USAGE}`)];
  const problem = optionProblem(ctx, 2);
  if (problem) return [text(problem)];
  const read = readDates(ctx.options, year);
  if ('error' in read) return [text(read.error)];
  const owner = await ownerOf(ctx);
  if ('error' in owner) return [text(owner.error)];
  const scopes = readScopes(ctx.options, filingScopesSchema.parse({}));
  if ('error' in scopes) return [text(scopes.error)];
  const created = await createCampaign(ctx.app.db, { year, unitId: owner.unitId, title: ctx.options['标题'], theme: ctx.options['主题'], ...read.dates, ...(scopes.changed ? { settings: withFilingScopes('{}', scopes.scopes) } : {}) });
  if (!created.ok) return [text(created.message)];
  const campaign = await ctx.app.db.campaign.findUniqueOrThrow({ where: { id: created.campaign.id }, include: { unit: true } });
  const scheduled = await ctx.app.hooks.campaignChanged(campaign); // schedules its reminders
  // The year alone names it only when no other campaign of that year reaches the owner's tree.
  const sameYear = owner.unitId === null ? await ctx.app.db.campaign.count({ where: { year } }) : (await campaignsForUnit(ctx.app.db, owner.unitId)).filter((c) => c.year === year).length;
  const selector = sameYear > 1 ? `#${campaign.id}` : String(year);
  const passed = passedDeadlines(campaign, shanghaiDate(ctx.app.now()));
  const late = passed.length ? `\n⚠️ ${passed.join('、')}已过：现在提交的会记为逾期。要放宽，请发送 /竞赛 设置 #${campaign.id} 计划截止=…（新日期）。` : '';
  const replies = [text(withScheduleNote([`✅ 已创建竞赛年度\n${describe(campaign)}\n${scopeLine(campaign)}${late}\n接下来请在各工作群发送“/绑定 单位名称 ${selector}”绑定。`], scheduled).join('\n'))];
  const gaps = calendarGaps(campaign, await loadCalendar(ctx.app.db));
  if (gaps.length) replies.push(text(calendarAlertText(campaign, gaps, 'created')));
  return replies;
}

/** /campaign: the campaign this group (or person) works in, and the other campaigns of its unit. */
async function view(ctx: CommandContext): Promise<Reply[]> {
  const db = ctx.app.db;
  const current = await currentCampaign(ctx);
  if (!current) return [text(`还没有创建竞赛年度。管理员可发送：${USAGE}`)];
  const shown = await db.campaign.findUniqueOrThrow({ where: { id: current.id }, include: { unit: true } });
  const lines = [`${ctx.binding ? '本群绑定的竞赛' : '当前竞赛'}：`, describe(shown), scopeLine(shown)];
  const unitId = ctx.binding?.unitId ?? ctx.member?.unitId ?? null;
  const others = unitId !== null ? (await campaignsForUnit(db, unitId)).filter((c) => c.id !== current.id) : (await db.campaign.findMany({ orderBy: [{ year: 'desc' }, { id: 'asc' }] })).filter((c) => c.id !== current.id);
  if (others.length) {
    lines.push('', '其他竞赛：', ...others.slice(0, 10).map((c) => `· ${campaignLabel(c)}`));
    if (ctx.binding) lines.push(`本群改绑其他竞赛：/绑定 ${ctx.binding.unit.name} #编号`);
  }
  return [text(lines.join('\n'))];
}

const SCOPE_OPTIONS = { 计划范围: 'plan', 总结范围: 'summary', 年报范围: 'report' } as const;
const SCOPE_WORDS: Record<string, FilingScope> = { 全部: 'all', 所有: 'all', all: 'all', 直属: 'direct', direct: 'direct' };
const CONFIRM_WORDS = ['确认', 'confirm'];

/** 计划范围=全部|直属 …: the changed scopes, or the first error. */
function readScopes(options: Record<string, string>, current: FilingScopes): { scopes: FilingScopes; changed: boolean } | { error: string } {
  const scopes = { ...current };
  let changed = false;
  for (const [label, form] of Object.entries(SCOPE_OPTIONS)) {
    const raw = options[label];
    if (raw === undefined) continue;
    const scope = SCOPE_WORDS[raw.trim().toLowerCase()];
    if (!scope) return { error: `${label}：请写“全部”（本竞赛组织单位下的所有单位都要交）或“直属”（只有直属单位要交），例如 ${label}=直属` };
    if (scopes[form] !== scope) changed = true;
    scopes[form] = scope;
  }
  return { scopes, changed };
}

/** "应交单位：计划 全部；总结 全部；年报 直属" */
function scopeLine(c: Campaign): string {
  const scopes = parseCampaignSettings(c.settings).scopes;
  return `应交单位：计划 ${SCOPE_LABELS[scopes.plan]}；总结 ${SCOPE_LABELS[scopes.summary]}；年报 ${SCOPE_LABELS[scopes.report]}（全部＝各级下属单位，直属＝直属单位）`;
}

/** Deadlines of a campaign that are already behind us (a federation starting mid-year). */
function passedDeadlines(c: Campaign, today: string): string[] {
  return DEADLINE_FORMS.filter((f) => deadlineOf(c, f) < today).map((f) => `${DEADLINE_LABELS[f]}截止（${chineseDate(deadlineOf(c, f))}）`);
}

async function set(ctx: CommandContext): Promise<Reply[]> {
  const db = ctx.app.db;
  const numbered = campaignNumberArg(ctx.args);
  const target = await campaignToChange(ctx, numbered.id, '/竞赛 设置 #编号 计划截止=2027-03-05');
  if ('error' in target) return [text(target.error)];
  const campaign = target.campaign;
  const confirmed = numbered.rest.slice(1).some((a) => CONFIRM_WORDS.includes(a.toLowerCase()));
  const args = numbered.rest.filter((a, i) => i === 0 || !CONFIRM_WORDS.includes(a.toLowerCase()));
  const problem = optionProblem({ ...ctx, args }, 1);
  if (problem) return [text(problem)];
  const read = readDates(ctx.options, campaign.year);
  if ('error' in read) return [text(read.error)];
  const settings = parseCampaignSettings(campaign.settings);
  const scopes = readScopes(ctx.options, settings.scopes);
  if ('error' in scopes) return [text(scopes.error)];
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(read.dates)) if (value !== campaign[key as keyof Campaign]) data[key] = value;
  if (ctx.options['标题'] && ctx.options['标题'] !== campaign.title) {
    const twin = await db.campaign.findFirst({ where: { unitId: campaign.unitId, year: campaign.year, title: ctx.options['标题'], NOT: { id: campaign.id } } });
    if (twin) return [text(`标题：${campaign.year}年度已有竞赛叫「${twin.title}」（#${twin.id}），请换一个标题，以免绑定时分不清。`)];
    data.title = ctx.options['标题'];
  }
  if (ctx.options['主题']) data.theme = ctx.options['主题'];
  if (!Object.keys(data).length && !scopes.changed) {
    return [text(Object.keys(ctx.options).length ? '和现在的设置一样，没有修改。' : '请写要修改的项目，例如：/竞赛 设置 计划截止=2027-03-05 或 /竞赛 设置 年报范围=直属')];
  }

  // Changes that are usually slips are applied only when the admin says so.
  const today = shanghaiDate(ctx.app.now());
  const doubts: string[] = [];
  for (const [label, key] of Object.entries(DATE_OPTIONS)) {
    const next = data[key];
    if (next && next < today) doubts.push(`${label}改为${chineseDate(next)}，这一天已经过去：之后提交的都会记为逾期，已交的也会按新日期重新判定`);
  }
  const order = deadlineOrderError({ ...campaign, ...data });
  if (order) doubts.push(order);
  if (doubts.length && !confirmed) {
    return [text(`⚠️ 没有修改：\n${doubts.map((d) => `· ${d}`).join('\n')}\n确实要这样改，请在命令末尾加“确认”再发一次：\n${inChinese(ctx.commands, ctx.msg.text)} 确认`)];
  }

  const deadlinesMoved = DEADLINE_FORMS.some((f) => data[{ plan: 'planDeadline', summary: 'summaryDeadline', report: 'reportDeadline' }[f]]);
  const { updated, marks } = await inTransaction(db, async (tx) => {
    const row = await tx.campaign.update({
      where: { id: campaign.id },
      data: { ...data, ...(scopes.changed ? { settings: withFilingScopes(campaign.settings, scopes.scopes) } : {}) },
      include: { unit: true },
    });
    // Late is relative to the deadline in force: filings made on time under the new date are on time everywhere.
    const marks = deadlinesMoved ? await recomputeLateMarks(tx, row) : null;
    const actor = actorOf(ctx.msg);
    const version = (await tx.revision.count({ where: { entity: 'campaign', entityId: campaign.id } })) + 1;
    const before = Object.fromEntries(Object.keys(data).map((k) => [k, campaign[k as keyof Campaign]]));
    await tx.revision.create({
      data: {
        entity: 'campaign', entityId: campaign.id, action: 'update', version, actorPlatform: actor.platform, actorUserId: actor.userId, actorName: actor.userName, sourceMessageId: actor.eventId,
        previousValues: JSON.stringify({ ...before, ...(scopes.changed ? { scopes: settings.scopes } : {}) }),
        newValues: JSON.stringify({ ...data, ...(scopes.changed ? { scopes: scopes.scopes } : {}) }),
      },
    });
    return { updated: row, marks };
  });
  const scheduled = await ctx.app.hooks.campaignChanged(updated);
  const lines = [`✅ 已修改`, describe(updated), scopeLine(updated)];
  if (marks && (marks.nowOnTime || marks.nowLate)) {
    lines.push(`逾期标记已按新的截止日期重新判定：${[marks.nowOnTime ? `${marks.nowOnTime} 份改为按时` : '', marks.nowLate ? `${marks.nowLate} 份改为逾期` : ''].filter(Boolean).join('，')}（已发的回执不变，/我的、排名、统计和导出按新标记）。`);
  }
  return [text(withScheduleNote(lines, scheduled).join('\n'))];
}

export default defineCommand({
  name: 'campaign',
  aliases: ['竞赛'],
  usage: '/竞赛 [创建 <年度> [标题=…] [单位=…] | 设置 计划截止=… 年报范围=直属 …]',
  summary: '查看本群的竞赛和本单位的其他竞赛；管理员可创建竞赛或修改截止日期',
  access: ['filer'],
  subcommands: [
    { key: 'add', words: ['创建', '新建', '添加', 'add'], access: [], refusal: '只有管理员可以创建竞赛年度。' },
    { key: 'set', words: ['设置', '修改', 'set'], access: [], refusal: '只有管理员可以修改截止日期。' },
  ],
  // "/竞赛 #2" shows another campaign.
  onlySubcommands: (arg) => /^[#＃]\d+$/.test(arg),
  group: 'setup',
  async run(ctx) {
    if (ctx.sub === 'add') return add(ctx);
    if (ctx.sub === 'set') return set(ctx);
    return view(ctx);
  },
});
