import type { CommandContext } from '../commands/registry.js';
import type { Campaign } from '../generated/sqlite/index.js';
import { latestCampaign } from './campaigns.js';

/**
 * The group's campaign; in a private chat or an unbound group, the latest one the person's unit
 * takes part in (an admin without a unit: the latest of all).
 */
export async function currentCampaign(ctx: CommandContext): Promise<Campaign | null> {
  return ctx.binding?.campaign ?? (await latestCampaign(ctx.app.db, ctx.member?.unitId ?? null));
}
