// Event payloads shaped like the examples in Lark's docs (schema 2.0: header + event), for feeding
// through the SDK's real EventDispatcher exactly as the long connection or the webhook would.
import { randomUUID } from 'node:crypto';
import { FAKE_APP_ID } from './fake-lark.js';

export const TENANT_KEY = '2ca1d211f64f6438';

export interface LarkPerson {
  openId: string;
  name: string;
}

function header(eventType: string, eventId = randomUUID().replace(/-/g, '')) {
  return { event_id: eventId, token: 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV', create_time: String(Date.now()), event_type: eventType, tenant_key: TENANT_KEY, app_id: FAKE_APP_ID };
}

let seq = 0;

/**
 * Real `message.user_agent` values of im.message.receive_v1 (present only with the im:user_agent:read
 * scope). The shape is a Chromium UA followed by "Lark/<client version> LarkLocale/<locale> ttnet
 * SDK-Version/<ver>"; Feishu (CN) clients also say "Lark/". Sources: the 接收消息 doc's example
 * (Lark/6.7.5, https://open.feishu.cn/document/server-docs/im-v1/message/events/receive) and
 * payloads logged by public bots (Lark/7.27.8, 7.53.16, 7.63.7 on macOS and Windows).
 */
export const LARK_USER_AGENTS = {
  /** A modern desktop client on macOS (the default). */
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.268 Safari/537.36 Lark/7.53.16 LarkLocale/zh_CN ttnet SDK-Version/7.53.10',
  /** A modern desktop client on Windows. */
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.268 Safari/537.36 Lark/7.63.7 LarkLocale/zh_CN ttnet SDK-Version/7.63.17',
  /** The doc's example: a client older than 7.20, which shows Card JSON 2.0 as an "upgrade" placeholder. */
  old: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 13_2_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/101.0.4951.53 Safari/537.36 Lark/6.7.5 LarkLocale/en_US ttnet SDK-Version/6.7.8',
} as const;

/**
 * im.message.receive_v1. `text` may contain "@_user_N" placeholders for the `mentions`, in order
 * (use the bot as a mention to address it). `userAgent` is the client's user agent (default a modern
 * desktop client, LARK_USER_AGENTS.mac); null leaves the field out, as Lark does without im:user_agent:read.
 */
export function textMessage(opts: { from: LarkPerson; chatId: string; chatType?: 'group' | 'p2p'; text: string; mentions?: LarkPerson[]; messageId?: string; eventId?: string; messageType?: string; content?: string; userAgent?: string | null }) {
  const messageId = opts.messageId ?? `om_${(++seq).toString(16).padStart(6, '0')}${randomUUID().slice(0, 8)}`;
  return {
    schema: '2.0',
    header: header('im.message.receive_v1', opts.eventId),
    event: {
      sender: { sender_id: { union_id: `on_${opts.from.openId.slice(3)}`, user_id: opts.from.openId.slice(-8), open_id: opts.from.openId }, sender_type: 'user', tenant_key: TENANT_KEY },
      message: {
        message_id: messageId, create_time: String(Date.now()), update_time: String(Date.now()), chat_id: opts.chatId,
        chat_type: opts.chatType ?? 'group', message_type: opts.messageType ?? 'text',
        content: opts.content ?? JSON.stringify({ text: opts.text }),
        mentions: (opts.mentions ?? []).map((m, i) => ({
          key: `@_user_${i + 1}`, id: { union_id: `on_${m.openId.slice(3)}`, user_id: m.openId.startsWith('ou_bot') ? '' : m.openId.slice(-8), open_id: m.openId }, name: m.name, tenant_key: TENANT_KEY,
        })),
        ...(opts.userAgent === null ? {} : { user_agent: opts.userAgent ?? LARK_USER_AGENTS.mac }),
      },
    },
  };
}

/** card.action.trigger for a form submit: `value` is the button's callback value, `formValue` the form's inputs. */
export function formSubmit(opts: { from: LarkPerson; chatId: string; value: unknown; formValue: Record<string, unknown>; eventId?: string; messageId?: string }) {
  return {
    schema: '2.0',
    header: { ...header('card.action.trigger', opts.eventId), create_time: String(Date.now() * 1000) },
    event: {
      operator: { tenant_key: TENANT_KEY, user_id: opts.from.openId.slice(-8), open_id: opts.from.openId, union_id: `on_${opts.from.openId.slice(3)}` },
      token: `c-${randomUUID()}`,
      action: { value: opts.value, tag: 'button', timezone: 'Asia/Shanghai', name: 'saiwu_submit', form_value: opts.formValue },
      host: 'im_message',
      context: { open_message_id: opts.messageId ?? 'om_eph_card', open_chat_id: opts.chatId },
    },
  };
}

export function botAdded(opts: { chatId: string; name: string; by: LarkPerson; eventId?: string }) {
  return {
    schema: '2.0',
    header: header('im.chat.member.bot.added_v1', opts.eventId),
    event: { chat_id: opts.chatId, operator_id: { open_id: opts.by.openId, user_id: opts.by.openId.slice(-8), union_id: `on_${opts.by.openId.slice(3)}` }, external: false, operator_tenant_key: TENANT_KEY, name: opts.name, i18n_names: { zh_cn: opts.name } },
  };
}

export function botRemoved(opts: { chatId: string; name: string; by: LarkPerson }) {
  return { ...botAdded(opts), header: header('im.chat.member.bot.deleted_v1') };
}
