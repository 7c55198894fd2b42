// What /withdraw (撤回) and /restore (恢复) have in common: read which filing is meant, check the
// sender may change it (an admin, or a filer of its unit), and flip it (see withdrawals.ts).
import type { CommandContext } from '../commands/registry.js';
import { text, type Reply } from '../core/messages.js';
import { toHalfWidth } from '../forms/coerce.js';
import { currentCampaign } from './current-campaign.js';
import { actorOf } from './members.js';
import { findTarget, setWithdrawn, type Target } from './withdrawals.js';
import { findUnitByName } from './units.js';
import { NO_CAMPAIGN } from '../core/wording.js';

const PROGRESS_WORDS = ['进度', 'progress'];
const REPORT_WORDS = ['年报', '年度报告', 'report'];

function number(raw: string | undefined): number | null {
  const n = Number(toHalfWidth(raw ?? '').replace(/^#/, ''));
  return Number.isInteger(n) && n > 0 ? n : null;
}

async function readTarget(ctx: CommandContext, command: string): Promise<Target | { error: string }> {
  const [first, second] = ctx.args;
  const usage = `用法：${command} 计划编号；${command} 进度 进度编号；${command} 年报`;
  if (!first) return { error: usage };
  if (PROGRESS_WORDS.includes(first.toLowerCase())) {
    const id = number(second);
    return id ? { kind: 'progress', id } : { error: `请写进度编号（回执上“进度编号 #”后面的数字），例如：${command} 进度 7` };
  }
  if (REPORT_WORDS.includes(first.toLowerCase())) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return { error: NO_CAMPAIGN };
    // A filer means their own unit's report; an admin may name the unit.
    if (second) {
      const unit = await findUnitByName(ctx.app.db, second);
      if (!unit) return { error: `没有找到单位「${second}」。` };
      return { kind: 'report', campaignId: campaign.id, unitId: unit.id };
    }
    if (!ctx.viewer.unit) return { error: `请写单位名称，例如：${command} 年报 东城街道工会` };
    return { kind: 'report', campaignId: campaign.id, unitId: ctx.viewer.unit.id };
  }
  const id = number(first);
  return id ? { kind: 'plan', id } : { error: usage };
}

export async function runWithdrawal(ctx: CommandContext, withdraw: boolean): Promise<Reply[]> {
  const command = withdraw ? '/撤回' : '/恢复';
  const target = await readTarget(ctx, command);
  if ('error' in target) return [text(target.error)];
  const found = await findTarget(ctx.app.db, target);
  // One that does not exist and one of another unit read the same (nothing to learn by guessing).
  if (!found || (!ctx.isAdmin && ctx.viewer.unit?.id !== found.unitId)) {
    const what = target.kind === 'plan' ? `编号为 ${target.id} 的计划` : target.kind === 'progress' ? `编号为 ${target.id} 的进度` : '这份年度报告';
    return [text(`本单位没有${what}。只有该单位的联络员或管理员可以${withdraw ? '撤回' : '恢复'}。请发送“/我的”查看编号。`)];
  }
  const changed = await setWithdrawn(ctx.app.db, found, withdraw, actorOf(ctx.msg), ctx.app.now());
  const again = `${withdraw ? '/恢复' : '/撤回'} ${target.kind === 'plan' ? target.id : target.kind === 'progress' ? `进度 ${target.id}` : '年报'}`;
  if (!changed) return [text(`${found.label}${withdraw ? '已经撤回了' : '没有被撤回'}，无需${withdraw ? '撤回' : '恢复'}。`)];
  if (withdraw) {
    const extent = found.entity === 'plan' ? '（连同它的进度和总结）' : '';
    return [text(`✅ 已撤回${found.label}${extent}：不再计入统计、排名、未交名单和导出，内容和修改记录都保留。\n要恢复，请发送 ${again}`)];
  }
  return [text(`✅ 已恢复${found.label}，重新计入统计、排名和导出。`)];
}
