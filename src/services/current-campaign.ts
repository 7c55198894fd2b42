import type { CommandContext } from '../commands/registry.js';
import type { Campaign } from '../store/models.js';
import { campaignLabel, latestCampaign } from './campaigns.js';
import { NO_CAMPAIGN } from '../core/wording.js';

/**
 * The group's campaign; in a private chat or an unbound group, the latest one the person's unit
 * takes part in (an admin without a unit: the latest of all).
 */
export async function currentCampaign(ctx: CommandContext): Promise<Campaign | null> {
  return ctx.binding?.campaign ?? (await latestCampaign(ctx.app.db, ctx.member?.unitId ?? null));
}

const NUMBER = /^(?:#|＃)(\d+)$/;

/** "#3" among the arguments, and the arguments without it. */
export function campaignNumberArg(args: string[]): { id: number | null; rest: string[] } {
  const i = args.findIndex((a) => NUMBER.test(a.trim()));
  if (i < 0) return { id: null, rest: args };
  return { id: Number(args[i].trim().match(NUMBER)![1]), rest: args.filter((_, j) => j !== i) };
}

/**
 * The campaign an admin's change is for: the one named by "#3", else the group's; in a private chat
 * or an unbound group, the only campaign there is — with several, the admin must name one, so a
 * change never lands on a campaign nobody meant.
 */
export async function campaignToChange(ctx: CommandContext, id: number | null, example: string): Promise<{ campaign: Campaign } | { error: string }> {
  const db = ctx.app.db;
  if (id !== null) {
    const named = await db.campaign.findUnique({ where: { id } });
    return named ? { campaign: named } : { error: `没有编号为 #${id} 的竞赛。发送“/竞赛”查看各项竞赛的编号。` };
  }
  if (ctx.binding) return { campaign: ctx.binding.campaign };
  const all = await db.campaign.findMany({ orderBy: [{ year: 'desc' }, { id: 'asc' }], take: 11 });
  if (all.length === 1) return { campaign: all[0] };
  if (!all.length) return { error: NO_CAMPAIGN };
  return { error: `有多项竞赛，请写明改哪一项，例如：${example.replace('#编号', `#${all[0].id}`)}\n${all.slice(0, 10).map((c) => `· ${campaignLabel(c)}`).join('\n')}` };
}
