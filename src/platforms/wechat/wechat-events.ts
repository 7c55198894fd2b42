// A Wechaty message → the platform-neutral IncomingMessage, or null when the bot should not act on
// it: its own echo, anything dated before the login (puppets replay backlog), non-text messages.
import { types, type Contact, type Message } from 'wechaty';
import type { IncomingMessage, UserRef } from '../../core/messages.js';
import { atTokens } from '../text-mentions.js';
import type { WechatIdentity } from './wechat-identity.js';

export interface TranslateContext {
  /** When the current session logged in (ms), null while logged out. */
  loginAt: number | null;
  /** Tolerance for clock skew between WeChat's timestamps and ours. */
  graceMs: number;
  identity: WechatIdentity;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Web-protocol puppets leave HTML entities in text.
function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/**
 * The message text without the bot's @mention. mentionText() does it when the puppet resolves the
 * mention; otherwise strip "@<bot name or group nickname>" followed by U+2005, a space or the end,
 * and as a last resort drop leading @mentions in front of a /command.
 */
export function stripBotMention(text: string, botNames: string[]): { text: string; stripped: boolean } {
  for (const name of botNames.filter(Boolean)) {
    const re = new RegExp(`^\\s*@${escapeRe(name)}(?:[\\s\\u2005]+|$)`);
    if (re.test(text)) return { text: text.replace(re, ''), stripped: true };
  }
  if (/^\s*@/.test(text)) {
    const command = text.match(/(?:^|[\s\u2005])([/／][^\s\u2005])/);
    if (command?.index !== undefined) return { text: text.slice(command.index).replace(/^[\s\u2005]+/, ''), stripped: false };
  }
  return { text, stripped: false };
}

async function botNamesIn(msg: Message): Promise<string[]> {
  const self = msg.wechaty.currentUser;
  const room = msg.room();
  const alias = room ? await room.alias(self).catch(() => undefined) : undefined;
  return [alias ?? '', self.name()];
}

export async function toIncoming(msg: Message, ctx: TranslateContext): Promise<IncomingMessage | null> {
  if (msg.self()) return null;
  if (ctx.loginAt === null || msg.date().getTime() < ctx.loginAt - ctx.graceMs) return null;
  if (msg.type() !== types.Message.Text) return null;
  const room = msg.room();
  const talker = msg.talker();
  const raw = decodeEntities(msg.text());

  if (!room) {
    return {
      platform: 'wechat', eventId: msg.id, chatId: talker.id, chatType: 'p2p',
      userId: await ctx.identity.userIdFor(talker, undefined), userName: talker.name(),
      text: stripBotMention(raw, await botNamesIn(msg)).text.trim(), mentions: [], mentionsBot: true,
    };
  }

  const topic = await room.topic().catch(() => '');
  await ctx.identity.noticeRoom(room, topic);
  const mentioned: Contact[] = await msg.mentionList().catch(() => []);
  const selfId = msg.wechaty.currentUser.id;
  let mentionsBot = mentioned.some((c) => c.id === selfId);
  let text = decodeEntities(await msg.mentionText().catch(() => raw));
  const fallback = stripBotMention(text, await botNamesIn(msg));
  text = fallback.text;
  mentionsBot ||= fallback.stripped;
  const mentions: UserRef[] = mentioned.filter((c) => c.id !== selfId).map((c) => ({ userId: c.id, userName: c.name() }));
  const alias = await room.alias(talker).catch(() => undefined);
  // The web protocol resolves "@王主席" to every contact named 王主席: more people than @-tokens means
  // nobody can tell who was meant.
  const tokensForOthers = atTokens(raw) - (mentioned.some((c) => c.id === selfId) || fallback.stripped ? 1 : 0);
  const mentionsAmbiguous = mentions.length > Math.max(0, tokensForOthers);
  return {
    platform: 'wechat', eventId: msg.id, chatId: room.id, chatType: 'group', chatTitle: topic || undefined,
    userId: await ctx.identity.userIdFor(talker, room), userName: alias || talker.name(),
    text: text.trim(), mentions, mentionsBot, ...(mentionsAmbiguous ? { mentionsAmbiguous } : {}),
  };
}

/** Spreadsheet files people send for commands such as /import; other files are none of the bot's business. */
const SPREADSHEET = /\.(xlsx|xls|csv)$/i;
const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface IncomingFile {
  eventId: string;
  chatId: string;
  chatType: 'group' | 'p2p';
  userId: string;
  userName: string;
  fileName: string;
  data: Buffer;
}

/** A spreadsheet sent into a chat, or null (own echo, backlog, other message types, other files). */
export async function toIncomingFile(msg: Message, ctx: TranslateContext): Promise<IncomingFile | null> {
  if (msg.self()) return null;
  if (ctx.loginAt === null || msg.date().getTime() < ctx.loginAt - ctx.graceMs) return null;
  if (msg.type() !== types.Message.Attachment) return null;
  const box = await msg.toFileBox();
  if (!SPREADSHEET.test(box.name)) return null;
  const data = await box.toBuffer();
  if (data.length > MAX_FILE_BYTES) return null;
  const room = msg.room();
  const talker = msg.talker();
  return { eventId: msg.id, chatId: room?.id ?? talker.id, chatType: room ? 'group' : 'p2p', userId: await ctx.identity.userIdFor(talker, room), userName: talker.name(), fileName: box.name, data };
}
