// A real Saiwu with the Lark adapter, its SDK pointed at a fake Open API server, and helpers that
// feed events through the SDK's real EventDispatcher and wait for the bot to finish answering.
//
// The harness tells the fake what Lark would know: the chats events come from (LARK_GROUP is an
// ordinary group with ADMIN, EAST and WEST), which card callbacks were answered (so a delayed card
// update is accepted only afterwards), and it delivers only what Lark would push (fake.deliver():
// a group message without an @bot needs fake.grantScope('im:message.group_msg')).
import { startTestBot, setUpDistrict, type TestBot } from './harness.js';
import { BOT_OPEN_ID, FAKE_APP_ID, FAKE_APP_SECRET, startFakeLark, type FakeLark } from './fake-lark.js';
import { formSubmit, textMessage, type LarkPerson } from './lark-payloads.js';
import type { LarkAdapter } from '../../src/platforms/lark/lark-adapter.js';

export const ENCRYPT_KEY = 'test-encrypt-key-9f8e7d';
export const LARK_GROUP = 'oc_5ad11d72b830411d72b836c20';
export const BOT: LarkPerson = { openId: BOT_OPEN_ID, name: '赛务助手' };
export const ADMIN: LarkPerson = { openId: 'ou_7d8a6e6df7621556ce0d21922b676706', name: '王主席' };
export const EAST: LarkPerson = { openId: 'ou_84aad35d084aa403a838cf73ee18467e', name: '东城李干事' };
export const WEST: LarkPerson = { openId: 'ou_3b1e2c4d5f60718293a4b5c6d7e8f901', name: '西城张干事' };

export interface LarkTestBot {
  bot: TestBot;
  fake: FakeLark;
  lark: LarkAdapter;
  /**
   * Dispatches a payload as the long connection would and waits until its work is done. A payload
   * Lark would not push to the bot (fake.deliver() gives null, e.g. a group message without an @bot
   * while im:message.group_msg is not granted) is not dispatched: the result is undefined.
   */
  dispatch(payload: object): Promise<any>;
  say(from: LarkPerson, text: string, opts?: { chatId?: string; chatType?: 'group' | 'p2p'; mentions?: LarkPerson[]; messageId?: string }): Promise<void>;
  submit(from: LarkPerson, value: unknown, formValue: Record<string, unknown>, opts?: { eventId?: string }): Promise<any>;
  close(): Promise<void>;
}

export async function startLarkBot(env: Record<string, string> = {}, opts: { before?: (fake: FakeLark) => void; logDestination?: { write(line: string): void } } = {}): Promise<LarkTestBot> {
  const fake = await startFakeLark();
  opts.before?.(fake);
  for (const p of [ADMIN, EAST, WEST]) fake.users.set(p.openId, p.name);
  fake.chats.set(LARK_GROUP, '测试区劳动竞赛工作群');
  // An ordinary (conversation) group with the bot and the three people in it, unless `before` set it up.
  if (!fake.chat(LARK_GROUP)) fake.addChat(LARK_GROUP, { kind: 'group', name: '测试区劳动竞赛工作群', members: [ADMIN.openId, EAST.openId, WEST.openId], botIn: true });
  const bot = await startTestBot({
    LARK_APP_ID: FAKE_APP_ID, LARK_APP_SECRET: FAKE_APP_SECRET, LARK_DOMAIN: fake.url,
    // HTTP mode so no long connection is attempted; events go straight into the dispatcher.
    LARK_MODE: 'http', LARK_ENCRYPT_KEY: ENCRYPT_KEY,
    LOCAL_CHAT: 'on', ADMINS: `local:admin,lark:${ADMIN.openId}`,
    ...env,
  }, opts.logDestination ? { logDestination: opts.logDestination } : {});
  const lark = bot.adapter<LarkAdapter>('lark')!;
  // Every way an event reaches the bot (this harness, the webhook, the long connection, a test calling
  // the dispatcher) goes through dispatcher.invoke: note the chat a message came from, and record a
  // card callback as answered (at the fake's time) once its answer is returned.
  const invoke = lark.dispatcher.invoke.bind(lark.dispatcher);
  lark.dispatcher.invoke = (async (data: any, params?: any) => {
    const eventType = data?.header?.event_type ?? data?.event_type;
    const event = data?.event ?? data;
    if (eventType === 'im.message.receive_v1') fake.noteMessageChat(event?.message?.chat_id, event?.message?.chat_type, event?.sender?.sender_id?.open_id);
    const result = await invoke(data, params);
    if (eventType === 'card.action.trigger' && typeof event?.token === 'string') fake.cardAnswered(event.token);
    return result;
  }) as typeof lark.dispatcher.invoke;
  const dispatch = async (payload: object) => {
    const delivered = fake.deliver(payload);
    if (!delivered) return undefined;
    const result = await lark.dispatcher.invoke(delivered, { needCheck: false });
    await lark.idle();
    return result;
  };
  return {
    bot, fake, lark, dispatch,
    async say(from, text, opts = {}) {
      const chatType = opts.chatType ?? 'group';
      const chatId = opts.chatId ?? (chatType === 'p2p' ? `oc_p2p_${from.openId.slice(-8)}` : LARK_GROUP);
      await dispatch(textMessage({ from, chatId, chatType, text, mentions: opts.mentions, messageId: opts.messageId }));
    },
    submit: (from, value, formValue, opts = {}) => dispatch(formSubmit({ from, chatId: LARK_GROUP, value, formValue, eventId: opts.eventId })),
    async close() {
      await bot.close();
      await fake.close();
    },
  };
}

/** Units and a 2027 campaign (set up in the local chat), the Lark group bound, EAST registered. */
export async function setUpLarkDistrict(t: LarkTestBot): Promise<void> {
  await setUpDistrict(t.bot, { chatId: 'local-setup' });
  await t.say(ADMIN, '@_user_1 /bind 测试区总工会 2027', { mentions: [BOT] });
  await t.say(EAST, '@_user_1 /join 东城街道工会', { mentions: [BOT] });
  const said = t.fake.texts().join('\n');
  if (!said.includes('东城街道工会')) throw new Error(`setup failed: ${said}`);
  t.fake.messages.length = 0;
}
