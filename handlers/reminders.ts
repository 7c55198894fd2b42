// /reminders 提醒 (admin): the campaign's reminder schedule and settings, the working-day calendar
// it uses, and deliveries that failed; `/reminders set …` and `/reminders on|off` change them.
import { defineCommand, inChinese, subcommandNamed, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { platformDef } from '../src/platforms/index.js';
import type { Campaign } from '../src/store/models.js';
import { parseCampaignSettings, reminderSettingsSchema, withReminderSettings, type ReminderSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_FORMS, DEADLINE_LABELS, campaignName, deadlineOf } from '../src/services/campaigns.js';
import { campaignNumberArg, campaignToChange, currentCampaign } from '../src/services/current-campaign.js';
import { chineseDateWithWeekday, shanghaiDateTimeText } from '../src/util/dates.js';
import { computeSchedule, stageLabel } from '../jobs/reminder-schedule.js';
import { reminderRuntime } from '../jobs/reminder-queue.js';
import { YEAR_SOURCE_LABELS, loadCalendar } from '../jobs/working-days.js';
import { calendarGaps, estimateLine, gapSpan } from '../jobs/calendar-alerts.js';
import { NO_CAMPAIGN, withScheduleNote } from '../src/core/wording.js';
import type { ScheduleOutcome } from '../src/core/app.js';

/** Reminder times outside this window need 确认. */
const OFFICE_DAY = { from: '07:00', to: '21:00' };
const SET_USAGE = '/提醒 设置 提前天数=14,7,3,1,0 时间=09:30 逾期间隔=2 逾期次数=5';
const FORM_LABELS: Record<string, string> = { ...DEADLINE_LABELS, calendar: '放假安排提示' };
const STATUS_LABELS: Record<string, string> = { failed: '发送失败', uncertain: '发送中断（为免重复未重发）', retry: '等待重试', claimed: '发送中' };

const md = (date: string) => `${Number(date.slice(5, 7))}/${Number(date.slice(8, 10))}`;

async function view(ctx: CommandContext, campaign: Campaign): Promise<Reply[]> {
  const settings = parseCampaignSettings(campaign.settings).reminders;
  const calendar = await loadCalendar(ctx.app.db);
  const now = ctx.app.now();
  const lines = [`${campaignName(campaign)}催交提醒：${settings.enabled ? '已开启' : '⛔ 已关闭（发送“/提醒 开启”开启）'}`];
  lines.push(`提前天数：${settings.stages.map((s) => -s).sort((a, b) => b - a).join('、')}（0 为截止当天）；时间：每天 ${settings.time}（北京时间）`);
  lines.push(`逾期后：每 ${settings.overdueEveryWorkdays} 个工作日提醒一次，最多 ${settings.overdueLimit} 次；只在工作日发送，调休上班日照常发送`);
  for (const form of DEADLINE_FORMS) {
    const deadline = deadlineOf(campaign, form);
    const { stages } = computeSchedule({ deadline, settings, calendar });
    const upcoming = stages.filter((s) => s.fireAt.getTime() > now.getTime());
    const before = upcoming.filter((s) => s.kind !== 'overdue').map((s) => md(s.date));
    const overdue = upcoming.filter((s) => s.kind === 'overdue').map((s) => md(s.date));
    const plan = [before.length ? before.join('、') : '', overdue.length ? `逾期 ${overdue.join('、')}` : ''].filter(Boolean).join('；');
    // No brackets around the date: it carries its own （星期日）.
    lines.push(`· ${DEADLINE_LABELS[form]}，截止${chineseDateWithWeekday(deadline)}：${plan || '本轮提醒已全部结束'}`);
  }
  for (const gap of calendarGaps(campaign, calendar)) {
    const [from, to] = gapSpan(gap);
    lines.push(`⚠️ ${gap.year}年${YEAR_SOURCE_LABELS.estimate}：${estimateLine(gap.year, from, to) || '期间没有节假日'}（预估）。国务院通知公布后请发送 /假期 导入 粘贴全文。`);
  }

  const problems = await ctx.app.db.reminderDelivery.findMany({
    where: { campaignId: campaign.id, status: { in: ['failed', 'uncertain', 'retry'] } }, orderBy: { updatedAt: 'desc' }, take: 10,
  });
  const counts = await queueCounts(ctx);
  if (counts === 'down') lines.push('队列：暂时连不上（提醒服务恢复后会自动补排）');
  else if (counts) lines.push(`队列：待发 ${counts.delayed + counts.waiting}，发送中 ${counts.active}，失败 ${counts.failed}`);
  if (problems.length) {
    // Groups by the name people know them by (the bound unit and the group's title), not by an id.
    const bindings = await ctx.app.db.chatBinding.findMany({ where: { OR: problems.map((p) => ({ platform: p.platform, chatId: p.chatId })) }, include: { unit: true } });
    const where = (p: { platform: string; chatId: string }) => {
      const b = bindings.find((x) => x.platform === p.platform && x.chatId === p.chatId);
      const platform = platformDef(p.platform)?.chineseName ?? p.platform;
      return b ? `${platform}「${b.topic || b.unit.name}」` : `${platform} 群 ${p.chatId}（已解除绑定）`;
    };
    lines.push('未送达的提醒（最近 10 条）：');
    for (const p of problems) {
      // A refusal's reason for admins comes before "｜"; the platform's own words after it are for the log.
      const why = p.error && p.status !== 'uncertain' ? p.error.split('｜')[0].slice(0, 80) : '';
      lines.push(`  · ${shanghaiDateTimeText(p.updatedAt)} ${FORM_LABELS[p.form] ?? p.form} ${stageLabel(p.stage)} → ${where(p)}：${STATUS_LABELS[p.status] ?? p.status}${why ? `（${why}）` : ''}`);
    }
  } else {
    lines.push('没有发送失败的提醒。');
  }
  lines.push('', `修改：${SET_USAGE}\n开关：/提醒 开启 | /提醒 关闭`);
  return [text(lines.join('\n'))];
}

/** Reads the set options into new settings, or the first error naming the field and the fix. */
export function readSettingChanges(options: Record<string, string>, current: ReminderSettings): { settings: ReminderSettings } | { error: string } {
  const next: ReminderSettings = { ...current };
  let changed = false;
  const stagesText = options['提前天数'] ?? options['阶段'];
  if (stagesText !== undefined) {
    const parts = stagesText.split(/[,，、\s]+/).filter(Boolean);
    const days = parts.map(Number);
    if (!parts.length || days.some((d) => !Number.isInteger(d) || d < 0 || d > 60)) return { error: `提前天数：请写 0 到 60 之间的整数，用逗号分开，例如 提前天数=14,7,3,1,0（0 为截止当天）` };
    next.stages = [...new Set(days)].sort((a, b) => b - a).map((d) => (d === 0 ? 0 : -d));
    changed = true;
  }
  if (options['时间'] !== undefined) {
    const m = options['时间'].replace('：', ':').match(/^(\d{1,2}):(\d{2})$/);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return { error: '时间：请写 24 小时制的北京时间，例如 时间=09:30' };
    next.time = `${m[1].padStart(2, '0')}:${m[2]}`;
    changed = true;
  }
  const every = options['逾期间隔'];
  if (every !== undefined) {
    const n = Number(every);
    if (!Number.isInteger(n) || n < 1 || n > 30) return { error: '逾期间隔：请写 1 到 30 之间的整数（工作日），例如 逾期间隔=2' };
    next.overdueEveryWorkdays = n;
    changed = true;
  }
  const limit = options['逾期次数'];
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0 || n > 20) return { error: '逾期次数：请写 0 到 20 之间的整数，例如 逾期次数=5（0 为逾期后不再提醒）' };
    next.overdueLimit = n;
    changed = true;
  }
  if (!changed) return { error: `请写要修改的项目，例如：${SET_USAGE}` };
  return { settings: reminderSettingsSchema.parse(next) };
}

/** Jobs in every reminder queue, or 'down' when Redis does not answer within a second. */
async function queueCounts(ctx: CommandContext): Promise<Record<'failed' | 'delayed' | 'waiting' | 'active', number> | 'down' | null> {
  const runtime = reminderRuntime(ctx.app);
  if (!runtime) return null;
  const total = { failed: 0, delayed: 0, waiting: 0, active: 0 };
  const read = Promise.all(runtime.queues.all().map((q) => q.getJobCounts('failed', 'delayed', 'waiting', 'active'))).then((all) => {
    for (const c of all) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += c[k] ?? 0;
    return total;
  }, () => 'down' as const);
  let timer: NodeJS.Timeout | undefined;
  const counts = await Promise.race([read, new Promise<'down'>((r) => { timer = setTimeout(() => r('down'), 1000); })]);
  clearTimeout(timer);
  return counts;
}

async function save(ctx: CommandContext, campaign: Campaign, settings: ReminderSettings): Promise<{ updated: Campaign; outcome: ScheduleOutcome }> {
  const updated = await ctx.app.db.campaign.update({ where: { id: campaign.id }, data: { settings: withReminderSettings(campaign.settings, settings) } });
  return { updated, outcome: await ctx.app.hooks.campaignChanged(updated) };
}

const reminders = defineCommand({
  name: 'reminders',
  aliases: ['提醒'],
  usage: '/提醒 [设置 提前天数=… 时间=… 逾期间隔=… 逾期次数=… | 开启 | 关闭]',
  summary: '查看和修改催交提醒的安排（提前天数、时间、逾期提醒），查看发送失败的提醒',
  access: [],
  subcommands: [
    { key: 'set', words: ['设置', '修改', 'set'] },
    { key: 'on', words: ['开启', '开', '打开', 'on'] },
    { key: 'off', words: ['关闭', '关', 'off'] },
  ],
  // "/提醒 #2 设置 …" names another campaign first.
  onlySubcommands: (arg) => /^[#＃]\d+$/.test(arg),
  group: 'setup',
  async run(ctx) {
    // "/reminders #2 set …": which campaign; without it, the group's (a change in a private chat must name one).
    const numbered = campaignNumberArg(ctx.args);
    const word = numbered.rest[0];
    const sub = subcommandNamed(reminders, word)?.key ?? (word ? 'unknown' : undefined);
    const changing = Boolean(sub) || Object.keys(ctx.options).length > 0;
    let campaign: Campaign | null;
    if (changing || numbered.id !== null) {
      const target = await campaignToChange(ctx, numbered.id, `/提醒 #编号 ${word ?? '设置'} …`);
      if ('error' in target) return [text(target.error)];
      campaign = target.campaign;
    } else {
      campaign = await currentCampaign(ctx);
    }
    if (!campaign) return [text(NO_CAMPAIGN)];
    const current = parseCampaignSettings(campaign.settings).reminders;
    if (sub === 'on' || sub === 'off') {
      const enabled = sub === 'on';
      const { updated, outcome } = await save(ctx, campaign, { ...current, enabled });
      return [text(withScheduleNote([`✅ 催交提醒已${enabled ? '开启' : '关闭'}。`], outcome).join('\n')), ...(await view(ctx, updated))];
    }
    if (sub === 'set' || (!sub && Object.keys(ctx.options).length)) {
      const read = readSettingChanges(ctx.options, current);
      if ('error' in read) return [text(read.error)];
      // A reminder at 06:00 or 22:30 @mentions people at home: only on purpose.
      const confirmed = numbered.rest.some((a) => a === '确认' || a.toLowerCase() === 'confirm');
      if (read.settings.time !== current.time && (read.settings.time < OFFICE_DAY.from || read.settings.time > OFFICE_DAY.to) && !confirmed) {
        return [text(`⚠️ 没有修改：提醒时间 ${read.settings.time} 不在 ${OFFICE_DAY.from}–${OFFICE_DAY.to} 之间，群里的同志会在休息时间被@。确实要这样设，请在命令末尾加“确认”再发一次：\n${inChinese(ctx.commands, ctx.msg.text)} 确认`)];
      }
      const { updated, outcome } = await save(ctx, campaign, read.settings);
      return [text(outcome === 'later' ? withScheduleNote(['✅ 已修改催交提醒。'], outcome).join('\n') : '✅ 已修改催交提醒，并按新的安排重新排期。'), ...(await view(ctx, updated))];
    }
    if (sub) return [text(`不认识“${word}”。用法：发送“/提醒”查看；${SET_USAGE}；/提醒 开启 | 关闭`)];
    return view(ctx, campaign);
  },
});
export default reminders;
