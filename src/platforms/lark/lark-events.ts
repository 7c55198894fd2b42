// Lark event payloads (as the SDK's EventDispatcher hands them over: header and event flattened into
// one object) and their translation into the platform-neutral IncomingMessage.
import type { ChatType, IncomingMessage, UserRef } from '../../core/messages.js';

export interface LarkUserId {
  open_id?: string;
  user_id?: string;
  union_id?: string;
}

export interface LarkMention {
  key: string;
  id: LarkUserId;
  name: string;
  mentioned_type?: string;
}

export interface LarkMessageEvent {
  event_id?: string;
  sender?: { sender_id?: LarkUserId; sender_type?: string };
  message?: {
    message_id: string;
    chat_id: string;
    chat_type: string;
    message_type: string;
    content: string;
    mentions?: LarkMention[];
    /** The sender's client ("… Lark/7.30.5 …"); card JSON 2.0 needs 7.20 or later. */
    user_agent?: string;
  };
}

export interface LarkChatMemberBotEvent {
  event_id?: string;
  chat_id?: string;
  name?: string;
  operator_id?: LarkUserId;
}

export interface BotIdentity {
  /** The bot's own open_id (from /bot/v3/info); without it the bot is recognised by name. */
  openId?: string;
  name: string;
}

/**
 * What an incoming message event became: a message for the bot, something we cannot read, or nothing.
 * `oldClient`: the sender's Feishu cannot show card JSON 2.0 (before 7.20), so forms go as text.
 */
export type ParsedEvent =
  | { kind: 'message'; messageId: string; oldClient: boolean; msg: Omit<IncomingMessage, 'userName' | 'chatTitle'> }
  | { kind: 'unsupported'; messageId: string; chatId: string; chatType: ChatType; userId: string }
  | { kind: 'file'; messageId: string; oldClient: boolean; fileKey: string; fileName: string; msg: Omit<IncomingMessage, 'userName' | 'chatTitle'> }
  | { kind: 'ignore' };

/** Card JSON 2.0 renders on Feishu/Lark clients from 7.20 (older ones show an upgrade notice instead). */
export const CARDS_FROM_VERSION = [7, 20] as const;

/**
 * Whether the client named by a message's user agent is older than 7.20. The agent carries
 * "Lark/7.30.5" (or "Feishu/…"); an agent without a version (a bot, an API client) counts as current.
 */
export function isOldClient(userAgent: string | undefined): boolean {
  const m = userAgent?.match(/\b(?:Lark|Feishu)\/(\d+)\.(\d+)/i);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < CARDS_FROM_VERSION[0] || (major === CARDS_FROM_VERSION[0] && minor < CARDS_FROM_VERSION[1]);
}

interface PostElement {
  tag?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  href?: string;
}

/** Rich text ("post") arrives either bare or keyed by locale; either way, paragraphs of elements. */
function postText(content: unknown): string {
  const c = content as { title?: string; content?: PostElement[][] } & Record<string, unknown>;
  const body = Array.isArray(c?.content) ? c : (Object.values(c ?? {}).find((v) => v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content)) as typeof c | undefined);
  if (!body?.content) return '';
  const lines = body.content.map((para) => (Array.isArray(para) ? para : []).map((el) => {
    if (el.tag === 'text' || el.tag === 'a') return el.text ?? '';
    if (el.tag === 'at') return el.user_id ?? '';
    return '';
  }).join(''));
  return [body.title ?? '', ...lines].filter((l) => l.trim() !== '').join('\n');
}

function messageText(type: string, content: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  if (type === 'text') return typeof (parsed as { text?: unknown })?.text === 'string' ? (parsed as { text: string }).text : null;
  if (type === 'post') return postText(parsed);
  return null;
}

function fileOf(content: string): { fileKey: string; fileName: string } | null {
  try {
    const c = JSON.parse(content) as { file_key?: unknown; file_name?: unknown };
    return typeof c.file_key === 'string' && typeof c.file_name === 'string' ? { fileKey: c.file_key, fileName: c.file_name } : null;
  } catch {
    return null;
  }
}

export function toChatType(larkChatType: string): ChatType {
  return larkChatType === 'p2p' ? 'p2p' : 'group';
}

function isBotMention(m: LarkMention, bot: BotIdentity): boolean {
  if (bot.openId) return m.id?.open_id === bot.openId;
  // Bots have no user_id; fall back to the name only when we could not learn our open_id.
  return !m.id?.user_id && m.name === bot.name;
}

/**
 * im.message.receive_v1 → IncomingMessage. "@_user_1" placeholders become "@Name" (or vanish for the
 * bot itself); the people mentioned are listed by open_id. The message id is the dedupe key: Lark
 * redelivers the same message with a new event id when an answer is late.
 */
export function parseMessageEvent(e: LarkMessageEvent, bot: BotIdentity): ParsedEvent {
  const m = e.message;
  const userId = e.sender?.sender_id?.open_id;
  if (!m || !userId || e.sender?.sender_type !== 'user') return { kind: 'ignore' };
  const chatType = toChatType(m.chat_type);
  if (m.message_type === 'file') {
    const file = fileOf(m.content);
    // A spreadsheet sent to the bot privately goes to /import (a filled 计划表 or 汇总表, or an admin's
    // roster): Lark cannot send a file and a command in one message.
    if (file && chatType === 'p2p' && /\.(xlsx|xls|csv)$/i.test(file.fileName)) {
      return {
        kind: 'file', messageId: m.message_id, oldClient: isOldClient(m.user_agent), ...file,
        msg: { platform: 'lark', eventId: m.message_id, chatId: m.chat_id, chatType, userId, text: '/import', mentions: [], mentionsBot: false },
      };
    }
  }
  const raw = messageText(m.message_type, m.content);
  if (raw === null) return { kind: 'unsupported', messageId: m.message_id, chatId: m.chat_id, chatType, userId };

  let text = raw;
  let mentionsBot = false;
  const mentions: UserRef[] = [];
  // Longest keys first, so "@_user_1" does not eat the start of "@_user_10".
  const list = [...(m.mentions ?? [])].sort((a, b) => b.key.length - a.key.length);
  for (const mention of list) {
    if (isBotMention(mention, bot)) {
      mentionsBot = true;
      text = text.split(mention.key).join('');
      continue;
    }
    text = text.split(mention.key).join(`@${mention.name}`);
    const id = mention.id?.open_id;
    if (id && !mentions.some((x) => x.userId === id)) mentions.push({ userId: id, userName: mention.name });
  }
  // Keep mentions in the order they appear in the message.
  mentions.sort((a, b) => raw.indexOf(list.find((x) => x.id?.open_id === a.userId)!.key) - raw.indexOf(list.find((x) => x.id?.open_id === b.userId)!.key));
  return {
    kind: 'message',
    messageId: m.message_id,
    oldClient: isOldClient(m.user_agent),
    msg: {
      platform: 'lark', eventId: m.message_id, chatId: m.chat_id, chatType, userId,
      text: text.replace(/[ \u2005]{2,}/g, ' ').trim(), mentions, mentionsBot,
    },
  };
}
