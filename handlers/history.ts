// /history 修改记录: every version of a plan and its summary (/history <计划编号>), of a year-end report
// (/history 年报 [单位]) or, for admins, every change to a unit (/history 单位 <名称>) — nothing filed or
// corrected is ever out of sight.
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { toHalfWidth } from '../src/forms/coerce.js';
import { campaignHistory, planHistory, reportHistory, unitHistory } from '../src/services/revision-history.js';
import { canSeeUnit, scopeOf } from '../src/services/access.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { findUnitByName } from '../src/services/units.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const UNIT_WORDS = ['单位', 'unit'];
const CAMPAIGN_WORDS = ['竞赛', 'campaign', '截止'];
const REPORT_WORDS = ['年报', '年度报告', 'report'];

async function ofUnit(ctx: CommandContext): Promise<Reply[]> {
  const name = ctx.args.slice(1).join('');
  if (!name) return [text('请写单位名称，例如：/修改记录 单位 东城街道工会')];
  const unit = await findUnitByName(ctx.app.db, name);
  if (!unit) return [text(`没有找到单位「${name}」。`)];
  return [text((await unitHistory(ctx.app.db, unit.id, unit.name)).join('\n'))];
}

async function ofReport(ctx: CommandContext): Promise<Reply[]> {
  const db = ctx.app.db;
  const name = ctx.args.slice(1).join('');
  const unit = name ? await findUnitByName(db, name) : ctx.viewer.unit;
  const campaign = await currentCampaign(ctx);
  if (!unit || !campaign || !(await canSeeUnit(db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), unit.id))) {
    return [text(name ? `没有找到您能查看的单位「${name}」的年度报告。` : '请写单位名称，例如：/修改记录 年报 东城街道工会')];
  }
  const report = await db.yearReport.findUnique({ where: { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } } });
  if (!report) return [text(`「${unit.name}」还没有提交${campaign.year}年度的年度报告。`)];
  return [text((await reportHistory(db, report.id, `「${unit.name}」${campaign.year}年度报告${report.withdrawnAt ? '（已撤回）' : ''}`)).join('\n'))];
}

async function ofCampaign(ctx: CommandContext): Promise<Reply[]> {
  const campaign = await currentCampaign(ctx);
  if (!campaign) return [text(NO_CAMPAIGN)];
  return [text((await campaignHistory(ctx.app.db, campaign.id, `${campaign.title}（#${campaign.id}）`)).join('\n'))];
}

export default defineCommand({
  name: 'history',
  aliases: ['修改记录', '历史'],
  usage: '/修改记录 <计划编号> | /修改记录 年报 [单位] | /修改记录 单位 <名称> | /修改记录 竞赛（管理员）',
  summary: '查看计划及其总结、年报的全部修改记录；管理员可查看单位的修改记录',
  access: ['filer'],
  subcommands: [
    { key: 'unit', words: UNIT_WORDS, access: [], refusal: '单位的修改记录只有管理员可以查看。' },
    { key: 'campaign', words: CAMPAIGN_WORDS, access: [], refusal: '竞赛截止日期等设置的修改记录只有管理员可以查看。' },
  ],
  group: 'query',
  async run(ctx) {
    const first = ctx.args[0]?.toLowerCase() ?? '';
    if (UNIT_WORDS.includes(first)) return ofUnit(ctx);
    if (CAMPAIGN_WORDS.includes(first)) return ofCampaign(ctx);
    if (REPORT_WORDS.includes(first)) return ofReport(ctx);
    const id = Number(toHalfWidth(ctx.args[0] ?? '').replace(/^#/, ''));
    if (!Number.isInteger(id) || id <= 0) return [text('请写计划编号，例如：/修改记录 12（编号见回执或“/我的”）；年报：/修改记录 年报')];
    const db = ctx.app.db;
    const plan = await db.plan.findUnique({ where: { id } });
    // Admins see every plan; in a bound group, the plans under its unit; in a private chat, one's own
    // unit's. A plan one may not see gets the same answer as one that does not exist.
    if (!plan || !(await canSeeUnit(db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), plan.unitId))) {
      return [text(ctx.binding
        ? `本群单位之下没有编号为 ${id} 的计划。请发送“/我的”查看本单位的计划编号。`
        : `私聊中只能查看本单位的计划，本单位没有编号为 ${id} 的计划。请发送“/我的”查看本单位的计划编号；其他单位的计划请到工作群里查看。`)];
    }
    return [text((await planHistory(db, plan)).join('\n'))];
  },
});
