// The platform-neutral shapes every handler takes and returns. Adapters translate to and from these;
// handlers never see a platform SDK.
import type { FormName } from '../forms/types.js';

/** A platform's name, as src/platforms/index.ts lists them ('local', 'lark', 'wechat'). */
export type Platform = string;
export type ChatType = 'group' | 'p2p';

export interface UserRef {
  userId: string;
  userName: string;
}

export interface IncomingMessage {
  platform: Platform;
  /** The platform's id for this event or message; a redelivery carries the same id. */
  eventId: string;
  chatId: string;
  chatType: ChatType;
  /** Chat title when the platform tells us (WeChat room topic, Lark group name). */
  chatTitle?: string;
  userId: string;
  userName: string;
  /** Text with the bot's own @mention removed. */
  text: string;
  /** Other people mentioned in the message (the bot itself excluded). */
  mentions: UserRef[];
  /** Whether the bot was @mentioned; in groups the bot acts on commands either way. */
  mentionsBot?: boolean;
  /**
   * The platform resolved the @names to more people than were @-mentioned (WeChat's web protocol
   * matches mentions by display name, so "@王主席" yields every contact called 王主席). Commands that
   * act on the people mentioned must refuse rather than guess.
   */
  mentionsAmbiguous?: boolean;
  /** Someone else was @mentioned, but the platform does not say who (WeCom's bot gets only the text). */
  mentionsUnresolved?: boolean;
  /** A file sent with the message (e.g. a roster for /import). */
  attachment?: { fileName: string; data: Buffer };
  /** What was sent cannot be read (a picture, voice; a file that could not be fetched or is too big). */
  unreadable?: Unreadable;
}

export type Unreadable =
  | { what: 'kind' }
  | { what: 'file-failed'; fileName?: string }
  | { what: 'file-too-big'; fileName?: string; maxMb: number };

/** The bot was added to a group, or left it (removed, or the group was dissolved). */
export interface ChatEvent {
  platform: Platform;
  /** The platform's id for this event; a redelivery carries the same id. */
  eventId: string;
  chatId: string;
  kind: 'bot-added' | 'bot-removed';
}

/** A form submitted from a card or an HTML form: raw strings keyed by field key. */
export interface FormSubmission {
  platform: Platform;
  eventId: string;
  chatId: string;
  chatType: ChatType;
  userId: string;
  userName: string;
  form: FormName;
  values: Record<string, string | undefined>;
  /** An admin's correction of this plan (or its summary) on the unit's behalf ("/plan 编辑 N"). */
  editPlanId?: number;
}

export interface TextReply {
  kind: 'text';
  text: string;
  /** Users to @mention; adapters render them the platform's way, before the text. */
  mentions?: UserRef[];
}

export interface FormFieldView {
  key: string;
  label: string;
  type: string;
  required: boolean;
  options?: { value: string; label: string }[];
  example?: string;
  /** What else may be written (e.g. 时间安排: 全年, 第二季度), shown under the field. */
  hint?: string;
}

export interface FormReply {
  kind: 'form';
  form: FormName;
  title: string;
  intro: string;
  fields: FormFieldView[];
  /** Values to prefill (after a rejected submit, the user's own text). */
  values?: Record<string, string>;
  /** Per-field error messages to show beside the inputs. */
  errors?: Record<string, string>;
  /**
   * The plan this form corrects ("/plan 编辑 N"): every platform carries it back with the submission
   * (the local form id, the Lark button value, the text template's title "【竞赛计划】修改 #N").
   */
  editPlanId?: number;
}

export interface FileReply {
  kind: 'file';
  fileName: string;
  data: Buffer;
  caption?: string;
}

export interface ImageReply {
  kind: 'image';
  fileName: string;
  data: Buffer;
}

/** A table (standings, roll-call); Lark renders a card, others a compact text table. */
export interface TableReply {
  kind: 'table';
  title: string;
  columns: string[];
  rows: (string | number)[][];
  note?: string;
  /** Said only where the cells are shown (a card, a padded table), not under the phone lines: what "—" means. */
  cellsNote?: string;
  /**
   * The rows as a phone reads them, one short line each ("1. 东城街道工会 23分（计划按时8 …）"):
   * what platforms without table cards show instead of columns padded with spaces, which wrap into
   * unreadable rows on a phone.
   */
  lines?: string[];
  /**
   * The whole table as a file, by a command the asker may run ("/导出 排名"): a button on a card
   * (Lark shows 10 rows a page), a line naming the command elsewhere.
   */
  more?: { label: string; command: string };
}

export type Reply = TextReply | FormReply | FileReply | ImageReply | TableReply;

/**
 * What became of a submitted form (or a pasted template), so an adapter can show it its own way — a
 * receipt card, the form again with its errors — without reading the reply text:
 * filed (stored, or unchanged), rejected (field errors; the form comes back), refused (not about a
 * field: not registered, a name already taken), duplicate (this submission was handled before),
 * failed (an error; nothing saved).
 */
export type SubmitOutcome = 'filed' | 'rejected' | 'refused' | 'duplicate' | 'failed';

export interface SubmitResult {
  outcome: SubmitOutcome;
  replies: Reply[];
  /** What was filed (outcome 'filed'), for a one-line public notice in the group the form came from. */
  filed?: { unit: string; form: string; planId?: number; revised: boolean; changed: boolean };
}

/**
 * Text with every broken UTF-16 surrogate replaced by U+FFFD. JSON may carry a lone "\ud800"; the
 * database driver cannot store one, and no person typed it. Applied where messages come in; the form
 * checks then refuse U+FFFD as unprintable.
 */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export const text = (t: string, mentions?: UserRef[]): TextReply => (mentions && mentions.length ? { kind: 'text', text: t, mentions } : { kind: 'text', text: t });

/**
 * Replies to someone's filing in a group: the first text @mentions them (in a busy group a receipt or
 * a "未保存" that names nobody is missed by the one who filed). Private chats are left as they are.
 */
export function toSender(replies: Reply[], msg: { chatType: ChatType; userId: string; userName: string }): Reply[] {
  if (msg.chatType !== 'group') return replies;
  const i = replies.findIndex((r) => r.kind === 'text');
  if (i < 0) return replies;
  const first = replies[i] as TextReply;
  if (first.mentions?.some((m) => m.userId === msg.userId)) return replies;
  return replies.map((r, j) => (j === i ? { ...first, mentions: [{ userId: msg.userId, userName: msg.userName }, ...(first.mentions ?? [])] } : r));
}
