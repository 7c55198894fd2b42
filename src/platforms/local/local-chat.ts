// The local web chat: a stand-in for a group chat that runs with no platform credentials. It keeps
// every message in the database so the page (and tests) can read a chat's whole transcript.
import { randomUUID } from 'node:crypto';
import type { App, ChatSender, SendOptions } from '../../core/app.js';
import type { Reply, UserRef } from '../../core/messages.js';
import { renderTableText } from '../../core/render-text.js';
import type { FileStore } from '../../files.js';
import { DEMO_ADMIN, DEMO_CHAT_ID } from '../../demo.js';
import { sql, SqlRows } from '../../store/sql.js';

export const BOT_USER_ID = 'bot';

/** What a person said, as the transcript shows it. */
export interface Said {
  user: UserRef;
  text: string;
  mentions?: UserRef[];
}

export type LocalReplyJson =
  /** A table is shown as its text; its columns and rows come along for programs using the API. */
  | { kind: 'text'; text: string; mentions: string[]; table?: { columns: string[]; rows: (string | number)[][] } }
  | { kind: 'form'; form: string; formId: string; title: string; intro: string; fields: unknown[]; values?: Record<string, string>; errors?: Record<string, string> }
  | { kind: 'file'; fileName: string; url: string; caption?: string }
  | { kind: 'image'; fileName: string; url: string };

export interface LocalMessageJson {
  id: number;
  chatId: string;
  senderId: string;
  senderName: string;
  fromBot: boolean;
  text: string;
  mentions: string[];
  reply?: LocalReplyJson;
  createdAt: string;
}

function withMentions(text: string, mentions: UserRef[] = []): string {
  return mentions.length ? `${mentions.map((m) => `@${m.userName}`).join(' ')} ${text}` : text;
}

/** Who the page speaks as, and where, when the browser has no choice of its own saved. */
export interface LocalLanding {
  chatId: string;
  chatType: 'group' | 'p2p';
  userId: string;
  userName: string;
}

export class LocalChat implements ChatSender {
  readonly platform = 'local' as const;

  constructor(readonly app: App, private readonly files: FileStore) {}

  /** Turns platform-neutral replies into the local API's JSON (files stored, forms given an id). */
  async toJson(replies: Reply[]): Promise<LocalReplyJson[]> {
    const out: LocalReplyJson[] = [];
    for (const r of replies) {
      switch (r.kind) {
        case 'text':
          out.push({ kind: 'text', text: withMentions(r.text, r.mentions), mentions: (r.mentions ?? []).map((m) => m.userId) });
          break;
        case 'table':
          out.push({ kind: 'text', text: renderTableText(r), mentions: [], table: { columns: r.columns, rows: r.rows } });
          break;
        case 'form':
          // The form id carries an admin's edit target back: "plan-e12_<uuid>".
          out.push({ kind: 'form', form: r.form, formId: `${r.form}${r.editPlanId ? `-e${r.editPlanId}` : ''}_${randomUUID()}`, title: r.title, intro: r.intro, fields: r.fields, ...(r.values ? { values: r.values } : {}), ...(r.errors ? { errors: r.errors } : {}) });
          break;
        case 'file':
          out.push({ kind: 'file', fileName: r.fileName, url: await this.files.save(r.fileName, r.data), ...(r.caption ? { caption: r.caption } : {}) });
          break;
        case 'image':
          out.push({ kind: 'image', fileName: r.fileName, url: await this.files.save(r.fileName, r.data) });
          break;
      }
    }
    return out;
  }

  /**
   * Stores the bot's replies in the transcript, after what the person said when `said` is given, and
   * returns the replies as API JSON. One statement for the lot: every message a user sends writes
   * its line and the bot's, and a statement each was a tenth of a filing's cost.
   */
  async post(chatId: string, replies: Reply[], said?: Said): Promise<LocalReplyJson[]> {
    const json = await this.toJson(replies);
    const at = new Date();
    const rows = json.map((r) => [
      chatId, BOT_USER_ID, this.app.config.botName, true,
      r.kind === 'text' ? r.text : r.kind === 'form' ? `【${r.title}】` : r.fileName,
      JSON.stringify(r.kind === 'text' ? r.mentions : []),
      r.kind === 'text' ? null : JSON.stringify(r), at,
    ]);
    if (said) rows.unshift([chatId, said.user.userId, said.user.userName, false, said.text, JSON.stringify((said.mentions ?? []).map((m) => m.userId)), null, at]);
    if (rows.length) {
      await sql(this.app.db)`
        INSERT INTO "LocalChatMessage" ("chatId", "senderId", "senderName", "fromBot", "text", "mentions", "payload", "createdAt")
        VALUES ${new SqlRows(rows)}`;
    }
    return json;
  }

  async send(chatId: string, replies: Reply[], opts: SendOptions = {}): Promise<void> {
    if (opts.handOff && !(await opts.handOff())) return;
    await this.post(chatId, replies);
  }

  async transcript(chatId: string): Promise<LocalMessageJson[]> {
    const rows = await this.app.db.localChatMessage.findMany({ where: { chatId }, orderBy: { id: 'asc' } });
    return rows.map((m) => ({
      id: m.id, chatId: m.chatId, senderId: m.senderId, senderName: m.senderName, fromBot: m.fromBot, text: m.text,
      mentions: JSON.parse(m.mentions) as string[], ...(m.payload ? { reply: JSON.parse(m.payload) as LocalReplyJson } : {}), createdAt: m.createdAt.toISOString(),
    }));
  }

  /** Chats the page can pick: those with messages and those bound to a unit. */
  async chats(): Promise<string[]> {
    const [talked, bound] = await Promise.all([
      this.app.db.localChatMessage.findMany({ distinct: ['chatId'], select: { chatId: true } }),
      this.app.db.chatBinding.findMany({ where: { platform: 'local' }, select: { chatId: true } }),
    ]);
    return [...new Set([...bound, ...talked].map((r) => r.chatId))].sort();
  }

  /** A chat's title as the page shows it: the bound group's topic, else none (the page shows the id). */
  async chatInfo(chatId: string): Promise<{ chatId: string; title: string | null }> {
    const binding = await this.app.db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'local', chatId } }, select: { topic: true } });
    return { chatId, title: binding?.topic ?? null };
  }

  /**
   * Where the page opens the first time: after `npm run demo`, the demo group as its admin; else as
   * the first local admin from ADMINS; else as 张三 (zhang, the README's example id) in group-1.
   */
  async landing(): Promise<LocalLanding> {
    const demo = await this.app.db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'local', chatId: DEMO_CHAT_ID } }, select: { id: true } });
    if (demo) return { chatId: DEMO_CHAT_ID, chatType: 'group', userId: DEMO_ADMIN.userId, userName: DEMO_ADMIN.userName };
    const admin = this.app.config.admins.find((a) => a.platform === 'local');
    if (admin) {
      const row = await this.app.db.member.findUnique({ where: { platform_userId: { platform: 'local', userId: admin.userId } }, select: { name: true } });
      return { chatId: 'group-1', chatType: 'group', userId: admin.userId, userName: row?.name || admin.userId };
    }
    return { chatId: 'group-1', chatType: 'group', userId: 'zhang', userName: '张三' };
  }

  /** People registered on the local platform, so the page can offer them as identities. */
  async users(): Promise<{ userId: string; userName: string; role: string }[]> {
    const rows = await this.app.db.member.findMany({ where: { platform: 'local' }, orderBy: { id: 'asc' } });
    return rows.map((m) => ({ userId: m.userId, userName: m.name || m.userId, role: m.role }));
  }
}
