// The local chat's HTTP API (documented in the README). Tests drive the whole bot through it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Bot } from '../../bot.js';
import { isFormName } from '../../forms/index.js';
import { wellFormed } from '../../core/messages.js';
import type { LocalChat } from './local-chat.js';

const userRef = z.object({ userId: z.string().min(1).max(64), userName: z.string().min(1).max(64) });
const messageBody = z.object({
  chatId: z.string().min(1).max(128),
  chatType: z.enum(['group', 'p2p']).default('group'),
  chatTitle: z.string().max(128).optional(),
  userId: z.string().min(1).max(64),
  userName: z.string().min(1).max(64),
  text: z.string().max(100_000),
  mentions: z.array(userRef).max(50).default([]),
  /** Whether the bot was @mentioned (the page sets it when the text starts with @bot). */
  mentionsBot: z.boolean().optional(),
  /** A redelivered message carries the same id; generated when absent. */
  messageId: z.string().max(128).optional(),
  /** A file sent with the message (e.g. the roster for /import), base64-encoded. */
  file: z.object({ fileName: z.string().min(1).max(200), base64: z.string().max(1_000_000) }).optional(),
});
const formBody = z.object({
  chatId: z.string().min(1).max(128),
  chatType: z.enum(['group', 'p2p']).default('group'),
  userId: z.string().min(1).max(64),
  userName: z.string().min(1).max(64),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});

function badRequest(error: z.ZodError): { error: string } {
  return { error: `请求格式不对：${error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}` };
}

export function registerLocalChatRoutes(server: FastifyInstance, bot: Bot, chat: LocalChat, botName: string): void {
  server.post('/api/local/messages', async (req, reply) => {
    const parsed = messageBody.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send(badRequest(parsed.error));
    // Broken surrogates (valid JSON, invalid text) would fail the database write of the transcript.
    const m = { ...parsed.data, text: wellFormed(parsed.data.text), userName: wellFormed(parsed.data.userName), chatId: wellFormed(parsed.data.chatId) };
    // "@赛务助手 /plan" typed in the page addresses the bot just as an @mention does on a platform.
    const mentionPrefix = new RegExp(`^\\s*@${botName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\u2005]*`);
    const addressed = m.mentionsBot ?? mentionPrefix.test(m.text);
    const text = m.text.replace(mentionPrefix, '');
    // The transcript shows an attachment by name, as a chat app would.
    const shown = m.file ? `${m.text}${m.text ? '\n' : ''}📎 ${m.file.fileName}` : m.text;
    let heard = false;
    const replies = await bot.handleMessage({
      platform: 'local', eventId: m.messageId ?? randomUUID(), chatId: m.chatId, chatType: m.chatType, chatTitle: m.chatTitle,
      userId: m.userId, userName: m.userName, text, mentions: m.mentions, mentionsBot: addressed,
      ...(m.file ? { attachment: { fileName: m.file.fileName, data: Buffer.from(m.file.base64, 'base64') } } : {}),
    }, {
      // A redelivered message (same messageId) appears once in the transcript, as on a platform: the
      // bot says when it is not one, and it is written with the replies, before them.
      received: async () => {
        heard = true;
      },
    });
    return { replies: await chat.post(m.chatId, replies, heard ? { user: m, text: shown, mentions: m.mentions } : undefined) };
  });

  server.post<{ Params: { formId: string } }>('/api/local/forms/:formId', async (req, reply) => {
    const parsed = formBody.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send(badRequest(parsed.error));
    const head = req.params.formId.split('_')[0].match(/^([a-z]+)(?:-e(\d{1,9}))?$/);
    const form = head?.[1] ?? '';
    if (!isFormName(form)) return reply.code(404).send({ error: `没有这张表单：${req.params.formId}` });
    const b = { ...parsed.data, userName: wellFormed(parsed.data.userName), chatId: wellFormed(parsed.data.chatId) };
    const values = Object.fromEntries(Object.entries(b.values).map(([k, v]) => [k, v === null ? undefined : String(v)]));
    const { replies } = await bot.handleFormSubmit({
      platform: 'local', eventId: `form:${req.params.formId}`, chatId: b.chatId, chatType: b.chatType,
      userId: b.userId, userName: b.userName, form, values, ...(head?.[2] ? { editPlanId: Number(head[2]) } : {}),
    });
    return { replies: await chat.post(b.chatId, replies, { user: b, text: `（提交了表单：${form}）` }) };
  });

  server.get<{ Params: { chatId: string } }>('/api/local/chats/:chatId/messages', async (req) => chat.transcript(req.params.chatId));
  server.get('/api/local/chats', async () => chat.chats());
  server.get<{ Params: { chatId: string } }>('/api/local/chats/:chatId', async (req) => chat.chatInfo(req.params.chatId));
  server.get('/api/local/users', async () => chat.users());
}
