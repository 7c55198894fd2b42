// /import 导入: a file sent with the command. A filled 计划表 or 汇总表 (a unit's filer) is filed for the
// sender's unit (src/services/filing-import.ts; in a private chat the file alone is enough). Anything
// else is read as the unit roster (admin); sent without a file it returns the roster template. A roster
// that moves existing units to other parents is shown first and applied with "/import 确认" within 10
// minutes (nothing is written before).
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { actorOf } from '../src/services/members.js';
import { adminOnlyText } from '../src/services/access.js';
import { importFilingFile, notAFilingSheet } from '../src/services/filing-import.js';
import { isKeyProjectSheet } from '../src/services/key-projects.js';
import { importKeyProjectFile } from './keyproject.js';
import { clearPending, getPending, setPending } from '../src/services/pending.js';
import { importRoster, ROSTER_COLUMNS, rosterTemplate, type ImportResult, type Move, type SkippedRow } from '../src/services/roster-import.js';
import { sqlDialectOf } from '../src/services/raw-sql.js';

const MAX_LISTED = 30;
const CONFIRM_TTL_MS = 10 * 60_000;
const CONFIRM_WORDS = ['确认', 'confirm'];

interface PendingImport {
  fileName: string;
  base64: string;
  /** The moves the admin saw; 确认 applies the file only if they are still the same. */
  moves: Move[];
}

const listed = (names: string[]) => `${names.slice(0, MAX_LISTED).join('、')}${names.length > MAX_LISTED ? ` 等${names.length}个` : ''}`;

function skippedLines(skipped: SkippedRow[], warnings: string[] = []): string[] {
  const lines: string[] = [];
  if (skipped.length) lines.push(`跳过 ${skipped.length} 行（不是单位）：${skipped.slice(0, 10).map((s) => `第${s.row}行「${s.text}」（${s.why}）`).join('；')}`);
  if (warnings.length) lines.push('请核对：', ...warnings.slice(0, 10).map((w) => `· ${w}`), ...(warnings.length > 10 ? [`……另有 ${warnings.length - 10} 条`] : []));
  return lines;
}

function answer(result: ImportResult): Reply[] {
  if (!result.ok && 'confirm' in result) {
    const lines = [`⚠️ 这份名单会调整 ${result.moves.length} 个已有单位的上级，还没有导入：`, ...result.moves.slice(0, MAX_LISTED).map((m) => `· ${m.name}：${m.from} → ${m.to}`)];
    if (result.created.length) lines.push(`同时新增 ${result.created.length} 个单位：${listed(result.created)}`);
    lines.push(...skippedLines(result.skipped, result.warnings), '', '确认无误请在 10 分钟内发送“/导入 确认”；不确认则什么都不会改。');
    return [text(lines.join('\n'))];
  }
  if (!result.ok) {
    if (result.message) return [text(`❗ 没有导入：${result.message}`)];
    const lines = [`❗ 名单没有导入（任何一行有错都不会导入），有 ${result.errors.length} 行需要修改：`, ...result.errors.slice(0, MAX_LISTED).map((e) => `· 第${e.row}行：${e.message}`)];
    if (result.errors.length > MAX_LISTED) lines.push(`……另有 ${result.errors.length - MAX_LISTED} 行有错，请改正以上各行后重新发送查看。`);
    lines.push(...skippedLines(result.skipped ?? []), '改正后把文件和“/导入”一起重新发送。');
    return [text(lines.join('\n'))];
  }
  const lines = [`✅ 单位名单已导入：新增${result.created.length}个，更新${result.updated.length}个${result.moved.length ? `，调整上级${result.moved.length}个` : ''}。`];
  if (result.created.length) lines.push(`新增：${listed(result.created)}`);
  if (result.updated.length) lines.push(`更新职工数/代码/联系人：${listed(result.updated)}`);
  if (result.moved.length) lines.push(`调整上级：${result.moved.slice(0, MAX_LISTED).map((m) => `${m.name}（${m.from} → ${m.to}）`).join('、')}`);
  lines.push(...skippedLines(result.skipped, result.warnings), '发送“/单位列表”查看单位名单；每项修改都记入修改记录。');
  return [text(lines.join('\n'))];
}

async function confirm(ctx: CommandContext): Promise<Reply[]> {
  const pending = await getPending<PendingImport>(ctx.app.db, 'import', ctx.msg, ctx.app.now());
  if (!pending) return [text('没有等待确认的名单（确认要在发送名单后 10 分钟内）。请把文件和“/导入”一起重新发送。')];
  const result = await importRoster(ctx.app.db, pending.fileName, Buffer.from(pending.base64, 'base64'), { actor: actorOf(ctx.msg), confirmMoves: pending.moves, dialect: sqlDialectOf(ctx.app.config.databaseUrl) });
  // Applied, or refused for good (the file or the tree changed): either way this preview is spent.
  if (result.ok || !('confirm' in result)) await clearPending(ctx.app.db, 'import', ctx.msg);
  return answer(result);
}

export default defineCommand({
  name: 'import',
  aliases: ['导入', '导入单位'],
  takesFile: true,
  usage: '/导入（附上填好的计划表、汇总表，或单位名单）| /导入 确认',
  summary: '导入填好的计划表或汇总表（本单位）；管理员可导入单位名单，不带文件发送可下载名单模板',
  access: ['filer'],
  group: 'setup',
  async run(ctx): Promise<Reply[]> {
    const file = ctx.msg.attachment;
    if (file) {
      const filed = await importFilingFile(ctx.app, ctx.msg);
      if (filed) return filed;
      // A key-project list (名称, 所在单位, 开工日期) sent to the bot is for /重点项目 导入.
      if (ctx.isAdmin && (await isKeyProjectSheet(file.fileName, file.data))) return importKeyProjectFile(ctx, file, ctx.args);
      if (!ctx.isAdmin) return [text(notAFilingSheet(file.fileName))];
    }
    if (!ctx.isAdmin) {
      if (CONFIRM_WORDS.includes(ctx.args[0]?.toLowerCase() ?? '')) return [text(adminOnlyText('/导入 确认'))];
      return [text('把填好的计划表或汇总表和“/导入”一起发送（私聊机器人时直接发送文件即可），就会为本单位填报。空白表请发送“/模板 计划 表格”或“/模板 总结 表格”下载。')];
    }
    if (CONFIRM_WORDS.includes(ctx.args[0]?.toLowerCase() ?? '')) return confirm(ctx);
    if (!file) {
      return [
        text(`请下载下面的模板，按列填写（${ROSTER_COLUMNS.map((c) => c.header).join('、')}），然后把文件和“/导入”一起发回。任何一行有错时整份名单都不会导入。（填好的计划表、汇总表也用“/导入”发送。）`),
        { kind: 'file', fileName: '单位名单导入模板.xlsx', data: await rosterTemplate(), caption: '📎 单位名单导入模板' },
      ];
    }
    // A new file replaces any roster still waiting for 确认.
    await clearPending(ctx.app.db, 'import', ctx.msg);
    const result = await importRoster(ctx.app.db, file.fileName, file.data, { actor: actorOf(ctx.msg), dialect: sqlDialectOf(ctx.app.config.databaseUrl) });
    if (!result.ok && 'confirm' in result) {
      await setPending(ctx.app.db, 'import', ctx.msg, { fileName: file.fileName, base64: file.data.toString('base64'), moves: result.moves } satisfies PendingImport, CONFIRM_TTL_MS, ctx.app.now());
    } else if (result.ok) {
      ctx.app.log.info({ by: ctx.msg.userId, created: result.created.length, updated: result.updated.length }, 'roster imported');
    }
    return answer(result);
  },
});
