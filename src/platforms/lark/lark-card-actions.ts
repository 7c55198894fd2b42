// card.action.trigger: a form card was submitted. The answer (a toast and the updated card) must go
// back within 3 seconds, and must never be empty (the client shows an error for an empty answer).
// A filing normally takes milliseconds; if it does not, the user gets "saving…" at once and the
// card is updated through the delayed-update API once the answer has gone back (Lark refuses or
// reverts an update sent before it), retried once, and else the receipt is sent privately.
// A form opened from a group also leaves one public line there when it is filed.
import type { App } from '../../core/app.js';
import type { FormReply, FormSubmission, IncomingMessage, Reply, SubmitResult } from '../../core/messages.js';
import type { Bot } from '../../bot.js';
import { SORRY } from '../../bot.js';
import { FORMS, isFormName } from '../../forms/index.js';
import type { FormDef } from '../../forms/types.js';
import { formReply } from '../../services/form-reply.js';
import { receiptOfEvent } from '../../services/filings.js';
import { componentNames, renderFormCard, renderReceiptCard, type Card, type CommandButtonValue, type FormButtonValue } from './lark-cards.js';
import type { LarkUserId } from './lark-events.js';
import type { LarkSender } from './lark-sender.js';

export interface CardActionEvent {
  event_id?: string;
  /** The card-update token (the SDK flattens the event over the header, so this is not the verification token). */
  token?: string;
  operator?: LarkUserId;
  action?: { value?: unknown; tag?: string; name?: string; form_value?: Record<string, unknown>; timezone?: string };
  context?: { open_message_id?: string; open_chat_id?: string };
}

export interface CardResponse {
  toast?: { type: 'info' | 'success' | 'error' | 'warning'; content: string };
  card?: { type: 'raw'; data: Card };
}

/** Leave room under Lark's 3 s for the answer to travel back. */
const ANSWER_WITHIN_MS = 2_300;
const REMEMBERED = 300;
/** A late update waits this long after the answer (it must reach Lark first), and again before its one retry. */
export const LATE_UPDATE_DELAY_MS = 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A command button's value (a table's 查看全部), or null. */
export function parseCommandValue(v: unknown): CommandButtonValue | null {
  const o = v as Partial<CommandButtonValue> | null;
  if (!o || typeof o !== 'object' || o.saiwu !== 'command' || typeof o.command !== 'string' || !o.command.startsWith('/')) return null;
  return { saiwu: 'command', command: o.command.slice(0, 200), chat_type: o.chat_type === 'p2p' ? 'p2p' : 'group' };
}

export function parseButtonValue(v: unknown): FormButtonValue | null {
  const o = v as Partial<FormButtonValue> | null;
  if (!o || typeof o !== 'object' || o.saiwu !== 'form' || typeof o.form !== 'string') return null;
  return {
    saiwu: 'form', form: o.form, chat_id: String(o.chat_id ?? ''), chat_type: o.chat_type === 'p2p' ? 'p2p' : 'group',
    user_id: String(o.user_id ?? ''), user_name: String(o.user_name ?? ''),
    ...(Array.isArray(o.plan_options) ? { plan_options: o.plan_options.slice(0, 200).map((p) => ({ value: String(p?.value ?? ''), label: String(p?.label ?? '') })) } : {}),
    ...(typeof o.instance === 'string' && o.instance ? { instance: o.instance.slice(0, 64) } : {}),
    ...(Number.isInteger(o.edit_plan_id) && (o.edit_plan_id as number) > 0 ? { edit_plan_id: o.edit_plan_id } : {}),
    ...(o.ephemeral === true ? { ephemeral: true } : {}),
  };
}

function asText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join('、');
  return String(v);
}

/**
 * form_value (keyed by component name) → raw values keyed by field. Date pickers send
 * "2027-03-01 +0800"; that goes to the core parser as is. A date range is two pickers joined by 至.
 */
export function formValuesToRaw(form: FormDef, formValue: Record<string, unknown> = {}): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const field of form.fields) {
    if (field.type === 'daterange') {
      const [startName, endName] = componentNames(field);
      const start = asText(formValue[startName])?.trim();
      const end = asText(formValue[endName])?.trim();
      raw[field.key] = start || end ? `${start ?? ''}至${end ?? ''}` : undefined;
    } else {
      raw[field.key] = asText(formValue[field.key]);
    }
  }
  return raw;
}

/** One private receipt per rendered form, however it comes to be sent (a late update's fallback, an ephemeral form's copy). */
const receiptKey = (value: FormButtonValue, e: CardActionEvent) => `receipt:${value.instance ?? e.event_id ?? e.token}`;

const textOf = (replies: Reply[]) => replies.filter((r) => r.kind === 'text').map((r) => (r as { text: string }).text).join('\n');

export class LarkCardActions {
  private readonly recent = new Map<string, Promise<CardResponse>>();

  constructor(
    private readonly app: App,
    private readonly bot: Bot,
    private readonly sender: LarkSender,
    private readonly nameOf: (openId: string) => Promise<string>,
    private readonly track: (work: Promise<unknown>) => void,
  ) {}

  async handle(e: CardActionEvent): Promise<CardResponse> {
    try {
      const command = parseCommandValue(e.action?.value);
      if (command) return this.runCommand(e, command);
      const value = parseButtonValue(e.action?.value);
      if (!value) return {};
      const eventId = e.event_id;
      // A redelivery while (or shortly after) the first is handled gets the same answer.
      const seen = eventId ? this.recent.get(eventId) : undefined;
      if (seen) return await seen;
      const work = this.submit(e, value);
      if (eventId) this.remember(eventId, work);
      this.track(work);
      const late = Symbol('late');
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([work, new Promise<typeof late>((r) => { timer = setTimeout(() => r(late), ANSWER_WITHIN_MS); })]);
      clearTimeout(timer);
      if (first !== late) return first;
      // The answer goes back as this returns; the card is updated after it.
      this.track(this.updateLate(e, work, Date.now(), receiptKey(value, e)));
      return { toast: { type: 'info', content: '正在保存，请稍候，卡片会自动更新为回执。' } };
    } catch (err) {
      this.app.log.error({ err }, 'card action failed');
      return { toast: { type: 'error', content: SORRY } };
    }
  }

  /**
   * The card after a submit that outlasted the callback: the delayed-update API, after the answer and
   * at most twice (the token allows two uses in 30 minutes); if both fail, the receipt (or the form
   * with its errors) goes to the person's private chat, so the toast's promise is kept.
   */
  private async updateLate(e: CardActionEvent, work: Promise<CardResponse>, answeredAt: number, key: string): Promise<void> {
    const res = await work;
    if (!res.card) return;
    if (e.token) {
      // The first try once the answer has surely reached Lark, the retry a pause after the first.
      let next = answeredAt + LATE_UPDATE_DELAY_MS;
      for (let attempt = 1; attempt <= 2; attempt++) {
        await sleep(Math.max(0, next - Date.now()));
        try {
          await this.sender.updateCardLater(e.token, res.card.data);
          return;
        } catch (err) {
          this.app.log.warn({ err: (err as Error).message, attempt }, 'late card update failed');
          next = Date.now() + LATE_UPDATE_DELAY_MS;
        }
      }
    }
    const operator = e.operator?.open_id;
    if (!operator) return;
    await this.sender.sendCard({ kind: 'user', openId: operator }, res.card.data, key);
  }

  /**
   * A filing from a form opened in a group: one public line there (the form and its receipt were the
   * asker's alone), and with ephemeral forms the receipt also privately — an ephemeral card is gone
   * once the client closes.
   */
  private async announce(value: FormButtonValue, sub: FormSubmission, result: SubmitResult, receipt: CardResponse, key: string): Promise<void> {
    const filed = result.filed;
    if (result.outcome !== 'filed' || !filed || value.chat_type !== 'group' || !value.chat_id) return;
    // The same key as a late update's private fallback: Lark keeps one message per uuid.
    if (value.ephemeral && receipt.card) await this.sender.sendCard({ kind: 'user', openId: sub.userId }, receipt.card.data, key);
    // An admin's correction ("/plan 编辑 N") is not the unit's filing, and the group it was typed in
    // may be another unit's: no public line.
    if (!filed.changed || sub.editPlanId) return;
    const line = `✅ ${filed.unit} 已${filed.revised ? '更新' : '提交'}${filed.form}${filed.planId ? ` #${filed.planId}` : ''}`;
    await this.sender.deliver({ kind: 'chat', chatId: value.chat_id }, [{ kind: 'text', text: line }], { key: `filed:${sub.eventId}`, patient: true });
  }

  /**
   * A command button: the command runs as if the person who pressed it had typed it in the card's
   * chat (their permissions, that chat's unit), and its replies (an export file) follow the toast.
   * Each press is its own event; a redelivered event is claimed once by the pipeline.
   */
  private runCommand(e: CardActionEvent, value: CommandButtonValue): CardResponse {
    const operator = e.operator?.open_id;
    const chatId = e.context?.open_chat_id;
    if (!operator || !chatId) return { toast: { type: 'error', content: '无法识别操作人或所在的群，请直接发送命令：' + value.command } };
    const eventId = `card-command:${e.event_id ?? `${e.context?.open_message_id}:${operator}:${Date.now()}`}`;
    this.track((async () => {
      const msg: IncomingMessage = { platform: 'lark', eventId, chatId, chatType: value.chat_type, userId: operator, userName: await this.nameOf(operator), text: value.command, mentions: [], mentionsBot: true };
      const replies = await this.bot.handleMessage(msg);
      if (replies.length) await this.sender.deliver({ kind: 'chat', chatId }, replies, { key: eventId, patient: true });
    })().catch((err) => this.app.log.error({ err }, 'card command failed')));
    return { toast: { type: 'info', content: '正在生成，稍后发到这里。' } };
  }

  private remember(eventId: string, work: Promise<CardResponse>): void {
    this.recent.set(eventId, work);
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
  }

  private async submit(e: CardActionEvent, value: FormButtonValue): Promise<CardResponse> {
    if (!isFormName(value.form)) return { toast: { type: 'error', content: '这张表单已经停用，请重新发送命令获取新表单。' } };
    const form = FORMS[value.form];
    const operator = e.operator?.open_id;
    if (!operator) return { toast: { type: 'error', content: '无法识别提交人，请重新发送命令获取表单。' } };
    const raw = formValuesToRaw(form, e.action?.form_value);
    const sub: FormSubmission = {
      platform: 'lark',
      // One filing per rendered form, whatever the number of clicks; cards from before instance ids
      // existed fall back to the event id.
      eventId: value.instance ? `card-form:${value.instance}` : e.event_id ?? `card:${e.context?.open_message_id}:${operator}:${JSON.stringify(raw)}`,
      chatId: value.chat_id || e.context?.open_chat_id || '',
      chatType: value.chat_type,
      userId: operator,
      userName: value.user_id === operator && value.user_name ? value.user_name : await this.nameOf(operator),
      form: form.name,
      values: raw,
      ...(value.edit_plan_id ? { editPlanId: value.edit_plan_id } : {}),
    };
    const result = await this.bot.handleFormSubmit(sub);
    if (result.outcome === 'duplicate') return this.again(sub);
    const response = this.answer(form, value, raw, result);
    this.track(this.announce(value, sub, result, response, receiptKey(value, e)));
    return response;
  }

  /**
   * A form submitted again whose first submit was handled already: a second click on the same card,
   * or Lark redelivering the callback, maybe to another bot process, which cannot know the first
   * one's answer (`recent` is this process's). What that submit saved, read back, becomes the card;
   * while nothing is saved yet (the first is still being handled, or filed nothing), the card stays
   * as it is and the toast says so.
   */
  private async again(sub: FormSubmission): Promise<CardResponse> {
    const saved = await receiptOfEvent(this.app, sub.platform, sub.eventId).catch((err: unknown) => {
      this.app.log.warn({ err }, 'could not read what a submitted form saved');
      return null;
    });
    if (!saved) return this.waiting();
    return {
      toast: { type: 'info', content: '这次提交已经处理过了，卡片显示已保存的内容。' },
      card: { type: 'raw', data: renderReceiptCard(FORMS[saved.form].title, saved.text) },
    };
  }

  private waiting(): CardResponse {
    return { toast: { type: 'info', content: '这次提交已经收到，正在处理或已处理。稍后可发送“/我的”查看是否已保存。' } };
  }

  /** The card after a submit, by what became of it (never by reading the reply text). */
  private answer(form: FormDef, value: FormButtonValue, raw: Record<string, string | undefined>, { outcome, replies }: SubmitResult): CardResponse {
    const said = textOf(replies);
    const again = replies.find((r): r is FormReply => r.kind === 'form');
    switch (outcome) {
      case 'duplicate':
        return this.waiting();
      case 'filed':
        return { toast: { type: 'success', content: `${form.title}已提交` }, card: { type: 'raw', data: renderReceiptCard(form.title, said) } };
      case 'rejected':
        if (again) {
          const count = Object.keys(again.errors ?? {}).length;
          return { toast: { type: 'error', content: `${form.title}未保存：有 ${count} 处需要修改` }, card: { type: 'raw', data: renderFormCard(again, value) } };
        }
        break;
      case 'refused':
      case 'failed':
        break;
    }
    // Refused for a reason that is not about one field (not registered, no campaign), or failed:
    // say why above the form and keep what was typed.
    const values = Object.fromEntries(Object.entries(raw).filter((kv): kv is [string, string] => typeof kv[1] === 'string'));
    return {
      toast: { type: outcome === 'failed' ? 'error' : 'warning', content: said.split('\n')[0].slice(0, 60) || `${form.title}未保存` },
      card: { type: 'raw', data: renderFormCard(formReply(form, { values }), value, said) },
    };
  }
}
