// A Wechaty message → the platform-neutral IncomingMessage, or null when the bot should not act on
// it (its own echo, non-text messages). What the puppets make of the real protocol is undone here:
// the quote block of a reply-with-quote, the text wechat4u cuts at a line ending in ":", HTML
// entities. How old a message is (backlog after a login) is the adapter's business.
import { types, type Contact, type Message, type Room } from 'wechaty';
import type { IncomingMessage, UserRef } from '../../core/messages.js';
import { FORMS } from '../../forms/index.js';
import { detectTemplate } from '../../forms/text-template.js';
import { atTokens } from '../text-mentions.js';
import { THROTTLED } from './wechat-sender.js';
import type { WechatIdentity } from './wechat-identity.js';

export interface TranslateContext {
  identity: WechatIdentity;
  /**
   * Whether this person's spreadsheet in a group may be fetched at all (admins and registered filers:
   * the pipeline keeps only theirs, so nobody else's file is downloaded). Absent: everyone's.
   */
  mayShareFile?: (userId: string) => Promise<boolean>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Web-protocol puppets leave HTML entities in text (wechat4u decodes &lt; and &gt;, not &amp;).
function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/**
 * A reply-with-quote (引用) as puppet-wechat4u and puppet-padlocal write it (referMsgParser):
 * `「名字：quoted」\n- - - - - - - - - - - - - - -\nreply`. The quoted part may hold newlines and 「」
 * itself, so only a block at the very start that ends in 」 on the line before the separator counts.
 */
const QUOTE_BLOCK = /^「[\s\S]*?」\n- - - - - - - - - - - - - - -\n/;

/** The text without a leading quote block: only the reply is the sender's message. */
export function stripQuote(text: string): { text: string; quoted: boolean } {
  const m = text.match(QUOTE_BLOCK);
  return m ? { text: text.slice(m[0].length), quoted: true } : { text, quoted: false };
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

/** What wechat4u hands puppet-wechat4u for one message (the fields Saiwu reads). */
export interface Wechat4uRaw {
  MsgId: string;
  MsgType: number;
  FromUserName: string;
  ToUserName?: string;
  /** "<talker's display name>:\n<text>" in a room, entities &lt; &gt; and <br/> already decoded. */
  Content: string;
  /** The wire form: "<talker id>:<br/><text>". */
  OriginalContent?: string;
  FileName?: string;
  FileSize?: string | number;
  AppMsgType?: number;
}

function isWechat4uRaw(raw: unknown): raw is Wechat4uRaw {
  const r = raw as Partial<Wechat4uRaw> | null;
  return Boolean(r) && typeof r!.MsgId === 'string' && typeof r!.MsgType === 'number' && typeof r!.FromUserName === 'string' && typeof r!.Content === 'string';
}

/**
 * The puppet's raw payload when it is wechat4u's. `missing`: the puppet could not give one (wechat4u
 * keeps them an hour in a cache); other puppets' payloads are neither (raw null, missing false).
 */
export async function rawPayloadOf(msg: Message): Promise<{ raw: Wechat4uRaw | null; missing: boolean }> {
  // Every Wechaty puppet has it (wechaty-puppet's cache calls it), though PuppetInterface does not say so.
  const puppet = msg.wechaty.puppet as unknown as { messageRawPayload?: (id: string) => Promise<unknown> };
  if (typeof puppet.messageRawPayload !== 'function') return { raw: null, missing: false };
  try {
    const raw: unknown = await puppet.messageRawPayload(msg.id);
    return { raw: isWechat4uRaw(raw) ? raw : null, missing: false };
  } catch {
    return { raw: null, missing: true };
  }
}

const WEB_TEXT = 1;
const isRoomId = (id: string) => /^@@|@chatroom$/.test(id);

/**
 * The whole text of a room text message. puppet-wechat4u keeps only `Content.split(':\n')[1]`, so
 * "时间安排:" at a line end loses everything after it; the text is everything after the FIRST ":\n"
 * (the one after the talker's name, which holds no line break).
 */
export function fullRoomText(raw: Wechat4uRaw | null): string | null {
  if (!raw || raw.MsgType !== WEB_TEXT || !isRoomId(raw.FromUserName)) return null;
  const at = raw.Content.indexOf(':\n');
  return at < 0 ? null : raw.Content.slice(at + 2);
}

const bareLabel = (s: string) => s.replace(/[\s*＊]/g, '');

/**
 * The label a template seems cut after, when the full text could not be had: a filled template whose
 * last line is a bare field label (no colon, no value) is what puppet-wechat4u leaves of "标签:\n值…".
 */
export function cutAfterLabel(text: string): string | null {
  const form = detectTemplate(text);
  if (!form) return null;
  const last = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop();
  if (!last) return null;
  const labels = new Set(FORMS[form].fields.flatMap((f) => [f.label, ...(f.aliases ?? [])]).map(bareLabel));
  return labels.has(bareLabel(last)) ? last : null;
}

/**
 * The text of a system message saying the account sends too often, or null. Pad-type puppets report
 * throttling this way ("发送消息过于频繁，可稍后再试。", "操作过于频繁") while the send itself succeeds;
 * wechat4u maps system messages (MsgType 10000, 9999, 51) to Unknown and 10002 to Recalled, padlocal
 * its 10000/10002 likewise. Only short plain text counts: an XML notice (pat, recall) or a join notice
 * quoting a member's name ("…"邀请"发送消息过于频繁"加入了群聊) is not WeChat speaking.
 */
export function throttleNotice(msg: Message): string | null {
  if (msg.type() !== types.Message.Unknown && msg.type() !== types.Message.Recalled) return null;
  const t = msg.text().trim();
  if (!t || t.length > 60 || /[<>"“”「」]/.test(t)) return null;
  return THROTTLED.test(t) ? t : null;
}

/** "@name" removed once for each mentioned person, as Wechaty's mentionText() does, then trimmed. */
function withoutMentions(text: string, names: string[]): string {
  return names.reduce((t, name) => t.replace(new RegExp(`@${escapeRe(name)}(\u2005|\u0020|$)`), ''), text).trim();
}

async function nameIn(room: Room, c: Contact): Promise<string> {
  return (await room.alias(c).catch(() => undefined)) || c.name();
}

/**
 * A text message as the pipeline sees it. `raw` is the puppet's wechat4u payload when there is one:
 * a room message's text is then rebuilt from it (the colon cut).
 */
export async function toIncoming(msg: Message, ctx: TranslateContext, raw: Wechat4uRaw | null = null): Promise<IncomingMessage | null> {
  if (msg.self()) return null;
  if (msg.type() !== types.Message.Text) return null;
  const room = msg.room();
  const talker = msg.talker();
  const { text: body, quoted } = stripQuote(decodeEntities(fullRoomText(raw) ?? msg.text()));

  if (!room) {
    return {
      platform: 'wechat', eventId: msg.id, chatId: talker.id, chatType: 'p2p',
      userId: await ctx.identity.userIdFor(talker, undefined), userName: talker.name(),
      text: stripBotMention(body, await botNamesIn(msg)).text.trim(), mentions: [], mentionsBot: true,
    };
  }

  const topic = await room.topic().catch(() => '');
  await ctx.identity.noticeRoom(room, topic);
  const selfId = msg.wechaty.currentUser.id;
  const named: { contact: Contact; name: string }[] = [];
  for (const contact of await msg.mentionList().catch((): Contact[] => [])) named.push({ contact, name: await nameIn(room, contact) });
  // A quote's mention list is read from the whole message, the quoted part included: only the people
  // @named in the reply itself count.
  const mentioned = quoted ? named.filter((m) => body.includes(`@${m.name}`)) : named;
  const fallback = stripBotMention(withoutMentions(body, mentioned.map((m) => m.name)), await botNamesIn(msg));
  const mentionsBotById = mentioned.some((m) => m.contact.id === selfId);
  const mentions: UserRef[] = mentioned.filter((m) => m.contact.id !== selfId).map((m) => ({ userId: m.contact.id, userName: m.contact.name() }));
  const alias = await room.alias(talker).catch(() => undefined);
  // The web protocol resolves "@王主席" to every contact named 王主席: more people than @-tokens means
  // nobody can tell who was meant.
  const tokensForOthers = atTokens(body) - (mentionsBotById || fallback.stripped ? 1 : 0);
  const mentionsAmbiguous = mentions.length > Math.max(0, tokensForOthers);
  return {
    platform: 'wechat', eventId: msg.id, chatId: room.id, chatType: 'group', chatTitle: topic || undefined,
    userId: await ctx.identity.userIdFor(talker, room), userName: alias || talker.name(),
    text: fallback.text.trim(), mentions, mentionsBot: mentionsBotById || fallback.stripped, ...(mentionsAmbiguous ? { mentionsAmbiguous } : {}),
  };
}

/** Spreadsheet files people send for commands such as /import; other files are none of the bot's business. */
const SPREADSHEET = /\.(xlsx|xls|csv)$/i;
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** A spreadsheet someone sent, known before anything is downloaded. */
export interface FileOffer {
  eventId: string;
  chatId: string;
  chatType: 'group' | 'p2p';
  userId: string;
  userName: string;
  fileName: string;
  /** Bytes, when the protocol says so before the download (wechat4u's FileSize). */
  size: number | null;
}

function sizeOf(raw: Wechat4uRaw | null): number | null {
  const n = Number(raw?.FileSize);
  return raw?.FileSize !== undefined && raw.FileSize !== '' && Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * A spreadsheet sent into a chat, or null (own echo, other message types, other files, and in a group
 * anyone whose file the bot would not keep). Nothing is downloaded: the name comes from the payload
 * (wechat4u's FileName, the parsed filename, or the mock's text).
 */
export async function spreadsheetOffer(msg: Message, ctx: TranslateContext, raw: Wechat4uRaw | null = null): Promise<FileOffer | null> {
  if (msg.self()) return null;
  if (msg.type() !== types.Message.Attachment) return null;
  const fileName = [raw?.FileName, msg.payload?.filename, msg.text()].map((n) => n?.trim() ?? '').find((n) => SPREADSHEET.test(n) && !n.includes('\n'));
  if (!fileName) return null;
  const room = msg.room();
  const talker = msg.talker();
  const userId = await ctx.identity.userIdFor(talker, room);
  if (room && ctx.mayShareFile && !(await ctx.mayShareFile(userId))) return null;
  const alias = room ? await room.alias(talker).catch(() => undefined) : undefined;
  return { eventId: msg.id, chatId: room?.id ?? talker.id, chatType: room ? 'group' : 'p2p', userId, userName: alias || talker.name(), fileName, size: sizeOf(raw) };
}

/** Downloads an offered spreadsheet, unless it is too big (checked before reading the bytes where the puppet tells). */
export async function fetchSpreadsheet(msg: Message, offer: FileOffer, onError: (err: unknown) => void = () => undefined): Promise<IncomingMessage> {
  const { eventId, chatId, chatType, userId, userName, fileName } = offer;
  const base: IncomingMessage = { platform: 'wechat', eventId, chatId, chatType, userId, userName, text: '', mentions: [] };
  const tooBig: IncomingMessage = { ...base, unreadable: { what: 'file-too-big', fileName, maxMb: MAX_FILE_BYTES / 1024 / 1024 } };
  if (offer.size !== null && offer.size > MAX_FILE_BYTES) return tooBig;
  try {
    const box = await msg.toFileBox();
    if (box.size > MAX_FILE_BYTES) return tooBig;
    const data = await box.toBuffer();
    if (data.length > MAX_FILE_BYTES) return tooBig;
    return { ...base, attachment: { fileName: SPREADSHEET.test(box.name) ? box.name : fileName, data } };
  } catch (err) {
    onError(err);
    return { ...base, unreadable: { what: 'file-failed', fileName } };
  }
}
