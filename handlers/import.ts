// /import 导入: admins import the unit roster from an Excel or CSV file sent with the command; sent
// without a file it returns the template to fill in.
import { defineCommand } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { importRoster, ROSTER_COLUMNS, rosterTemplate } from '../src/services/roster-import.js';

const MAX_LISTED = 30;

export default defineCommand({
  name: 'import',
  aliases: ['导入', '导入单位'],
  usage: '/import（附上 Excel 或 CSV 文件）',
  summary: '从Excel/CSV批量导入单位名单；不带文件发送可下载模板',
  access: [],
  group: 'setup',
  async run(ctx): Promise<Reply[]> {
    const file = ctx.msg.attachment;
    if (!file) {
      return [
        text(`请下载下面的模板，按列填写（${ROSTER_COLUMNS.map((c) => c.header).join('、')}），然后把文件和“/import”一起发回。任何一行有错时整份名单都不会导入。`),
        { kind: 'file', fileName: '单位名单导入模板.xlsx', data: await rosterTemplate(), caption: '📎 单位名单导入模板' },
      ];
    }
    const result = await importRoster(ctx.app.db, file.fileName, file.data);
    if (!result.ok) {
      if (result.message) return [text(`❗ 没有导入：${result.message}`)];
      const lines = [`❗ 名单没有导入（任何一行有错都不会导入），有 ${result.errors.length} 行需要修改：`, ...result.errors.slice(0, MAX_LISTED).map((e) => `· 第${e.row}行：${e.message}`)];
      if (result.errors.length > MAX_LISTED) lines.push(`……另有 ${result.errors.length - MAX_LISTED} 行有错，请改正以上各行后重新发送查看。`);
      lines.push('改正后把文件和“/import”一起重新发送。');
      return [text(lines.join('\n'))];
    }
    ctx.app.log.info({ by: ctx.msg.userId, created: result.created.length, updated: result.updated.length }, 'roster imported');
    const lines = [`✅ 单位名单已导入：新增${result.created.length}个，更新${result.updated.length}个。`];
    if (result.created.length) lines.push(`新增：${result.created.slice(0, MAX_LISTED).join('、')}${result.created.length > MAX_LISTED ? ` 等${result.created.length}个` : ''}`);
    if (result.updated.length) lines.push(`更新职工数/代码：${result.updated.slice(0, MAX_LISTED).join('、')}${result.updated.length > MAX_LISTED ? ` 等${result.updated.length}个` : ''}`);
    lines.push('发送 /units 查看单位名单。');
    return [text(lines.join('\n'))];
  },
});
