// /export 导出 [计划|汇总|排名|全部|年报|进度]: the official tables as an Excel file in the chat; 年报
// gives the year-end compilation as a Word document (and the same as a sheet), 进度 every progress entry.
import { defineCommand } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';
import type { ExportWhat } from '../src/services/excel/export-workbook.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

type What = ExportWhat | 'report' | 'progress';
const WHAT_WORDS: Record<string, What> = {
  plan: 'plan', 计划: 'plan', 计划表: 'plan', 附件一: 'plan',
  summary: 'summary', 总结: 'summary', 总结表: 'summary', 汇总: 'summary', 汇总表: 'summary', 附件二: 'summary',
  standings: 'standings', 排名: 'standings', 排名表: 'standings',
  all: 'all', 全部: 'all', 报表: 'all', 全部报表: 'all',
  report: 'report', 年报: 'report', 年度报告: 'report', 总结汇编: 'report', 汇编: 'report',
  progress: 'progress', 进度: 'progress', 进度表: 'progress',
};
const USAGE = '/导出 [计划|汇总|排名|全部|年报|进度]';

export default defineCommand({
  name: 'export',
  aliases: ['导出'],
  usage: USAGE,
  summary: '导出：计划表（附件一）、汇总表（附件二）、排名表、全部报表（Excel），年度报告汇编（Word）、进度记录',
  access: ['filer'],
  group: 'query',
  async run(ctx): Promise<Reply[]> {
    const word = ctx.args[0]?.toLowerCase() ?? 'all';
    const what = WHAT_WORDS[word];
    if (!what) return [text(`看不懂“${ctx.args[0]}”。用法：${USAGE}\n例如：/导出 计划`)];
    const root = await reportRoot(ctx.app.db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), '表格');
    if ('refusal' in root) return [text(root.refusal)];
    const unit = root.unit;
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const now = ctx.app.now();
    // The workbook and Word code (exceljs, docx) load on the first export, not at start.
    const { buildExport, buildProgressExport, buildReportExport, EXPORT_LABELS } = await import('../src/services/excel/export-workbook.js');
    if (what === 'report') {
      const r = await buildReportExport(ctx.app.db, campaign, unit, now);
      return [
        { kind: 'file', fileName: r.document.fileName, data: r.document.data, caption: `📎 ${campaign.year}年度「${unit.name}」年度报告汇编（${r.reports}个单位${r.missing ? `，未交${r.missing}个` : ''}）` },
        { kind: 'file', fileName: r.workbook.fileName, data: r.workbook.data, caption: '📎 同一内容的表格版' },
      ];
    }
    if (what === 'progress') {
      const r = await buildProgressExport(ctx.app.db, campaign, unit, now);
      return [{ kind: 'file', fileName: r.fileName, data: r.data, caption: `📎 ${campaign.year}年度「${unit.name}」竞赛进度（${r.entries}条）` }];
    }
    const result = await buildExport(ctx.app.db, campaign, unit, { what, now, databaseUrl: ctx.app.config.databaseUrl, log: ctx.app.log });
    const counts = what === 'standings' ? '' : `（计划${result.plans}项，总结${result.summaries}项）`;
    return [{ kind: 'file', fileName: result.fileName, data: result.data, caption: `📎 ${campaign.year}年度「${unit.name}」${EXPORT_LABELS[what]}${counts}` }];
  },
});
