// /export 导出 [plan|summary|standings|all]: the official tables as an Excel file in the chat.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';
import { buildExport, EXPORT_LABELS, type ExportWhat } from '../src/services/excel/export-workbook.js';

const WHAT_WORDS: Record<string, ExportWhat> = {
  plan: 'plan', 计划: 'plan', 计划表: 'plan',
  summary: 'summary', 总结: 'summary', 总结表: 'summary', 汇总: 'summary', 汇总表: 'summary',
  standings: 'standings', 排名: 'standings', 排名表: 'standings',
  all: 'all', 全部: 'all', 报表: 'all', 全部报表: 'all',
};
const USAGE = '/export [plan|summary|standings|all]';

export default defineCommand({
  name: 'export',
  aliases: ['导出'],
  usage: USAGE,
  summary: '导出Excel：计划表（附件一）、汇总表（附件二）、排名表，或全部（含统计、明细、未交单位）',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const word = ctx.args[0]?.toLowerCase() ?? 'all';
    const what = WHAT_WORDS[word];
    if (!what) return [text(`看不懂“${ctx.args[0]}”。用法：${USAGE}\n例如：/导出 计划`)];
    const root = await reportRoot(ctx.app.db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), '表格');
    if ('refusal' in root) return [text(root.refusal)];
    const unit = root.unit;
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text('还没有创建竞赛年度，请管理员先发送“/campaign add 年度”。')];
    const result = await buildExport(ctx.app.db, campaign, unit, { what, now: ctx.app.now() });
    const counts = what === 'standings' ? '' : `（计划${result.plans}项，总结${result.summaries}项）`;
    return [{ kind: 'file', fileName: result.fileName, data: result.data, caption: `📎 ${campaign.year}年度「${unit.name}」${EXPORT_LABELS[what]}${counts}` }];
  },
});
