// /mine: my unit's filings this year and what is still due.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { COMPETITION_TYPES } from '../src/forms/plan.js';
import { DEADLINE_LABELS, daysLeft, deadlineOf, describeDaysLeft } from '../src/services/campaigns.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { askedUnitForms } from '../src/services/roll-call.js';
import { FILE_COMMANDS } from '../src/services/reminders.js';
import { notRegisteredText } from '../src/services/members.js';
import { chineseDate } from '../src/util/dates.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

export default defineCommand({
  name: 'mine',
  aliases: ['我的'],
  usage: '/我的',
  summary: '查看本单位已填报的内容和还要交的材料',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const unit = ctx.member?.unit;
    if (!unit) return [text(await notRegisteredText(ctx.app.db, ctx.msg, ctx.binding, '查看本单位的填报情况'))];
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const db = ctx.app.db;
    const plans = await db.plan.findMany({
      where: { campaignId: campaign.id, unitId: unit.id },
      include: { summary: true, keyProjectRef: { select: { name: true } }, _count: { select: { progress: { where: { withdrawnAt: null } } } } },
      orderBy: { id: 'asc' },
    });
    const report = await db.yearReport.findUnique({ where: { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } } });
    const now = ctx.app.now();
    const lines = [`${unit.name} · ${campaign.year}年度填报情况`];
    const active = plans.filter((p) => !p.withdrawnAt);
    const withdrawn = plans.filter((p) => p.withdrawnAt);
    if (!active.length) {
      lines.push('计划：还没有备案（发送“/计划”备案）');
    } else {
      lines.push(`计划 ${active.length} 项：`);
      for (const p of active) {
        const type = COMPETITION_TYPES.find((t) => t.value === p.type)?.label ?? p.type;
        // A street union files for several enterprises; the enterprise tells same-named projects apart.
        const flags = [p.enterpriseName, type, p.keyProjectRef ? `重点项目：${p.keyProjectRef.name}` : p.keyProject ? '重点项目' : null, p.participantsText ?? `${p.participants}人`, p.late ? '逾期备案' : null, `进度${p._count.progress}次`, p.summary ? `已交总结${p.summary.late ? '（逾期）' : ''}` : '未交总结']
          .filter(Boolean)
          .join('，');
        lines.push(`#${p.id} ${p.project}（${flags}）`);
      }
    }
    // Withdrawn plans stay visible (with how to undo), but count for nothing.
    if (withdrawn.length) lines.push(`已撤回 ${withdrawn.length} 项（不计入统计）：${withdrawn.map((p) => `#${p.id} ${p.project}`).join('；')}（恢复：/恢复 编号）`);
    const reportIn = report && !report.withdrawnAt ? report : null;
    lines.push(`年度报告：${reportIn ? `已提交${reportIn.late ? '（逾期）' : ''}` : report ? '已撤回（恢复：/恢复 年报）' : '未提交'}`);
    // Only what the campaign asks of this unit (its scope); a unit below a filer-registered street
    // is still asked for plans when the scope says 全部.
    const asked = await askedUnitForms(db, campaign, unit.id);
    const due: string[] = [];
    if (!active.length && asked.plan) due.push('plan');
    if ((!active.length || active.some((p) => !p.summary)) && asked.summary) due.push('summary');
    if (!reportIn && asked.report) due.push('report');
    if (!asked.report && !reportIn) lines.push('（本竞赛的年度报告只需直属单位提交，本单位不用交。）');
    if (due.length) {
      lines.push('', '还要交：');
      for (const form of due as ('plan' | 'summary' | 'report')[]) {
        const date = deadlineOf(campaign, form);
        lines.push(`· ${DEADLINE_LABELS[form]}（截止 ${chineseDate(date)}，${describeDaysLeft(daysLeft(date, now))}）${FILE_COMMANDS[form]}`);
      }
    } else {
      lines.push('', '本年度材料都已提交，辛苦了！');
    }
    return [text(lines.join('\n'))];
  },
});
