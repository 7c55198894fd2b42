import type { CommandContext } from '../commands/registry.js';
import type { Campaign } from '../generated/sqlite/index.js';
import { latestCampaign } from './campaigns.js';

/** The group's campaign, or the latest one in a private chat or an unbound group. */
export async function currentCampaign(ctx: CommandContext): Promise<Campaign | null> {
  return ctx.binding?.campaign ?? (await latestCampaign(ctx.app.db));
}
