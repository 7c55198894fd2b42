// When the bot is removed from a group (or the group is dissolved), the group's binding to a unit
// and campaign goes: nothing more can be posted there, and a reminder job must not keep trying.
// Filings made from the group stay; they belong to units, not chats.
import type { App } from '../core/app.js';
import type { Platform } from '../core/messages.js';

/** Forgets the chat's binding; returns whether there was one. */
export async function forgetChat(app: App, platform: Platform, chatId: string): Promise<boolean> {
  const { count } = await app.db.chatBinding.deleteMany({ where: { platform, chatId } });
  return count > 0;
}
