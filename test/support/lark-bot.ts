// A real Saiwu with the Lark adapter, its SDK pointed at a fake Open API server, and helpers that
// feed events through the SDK's real EventDispatcher and wait for the bot to finish answering.
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
  /** Dispatches a payload as the long connection would and waits until its work is done. */
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
  const bot = await startTestBot({
    LARK_APP_ID: FAKE_APP_ID, LARK_APP_SECRET: FAKE_APP_SECRET, LARK_DOMAIN: fake.url,
    // HTTP mode so no long connection is attempted; events go straight into the dispatcher.
    LARK_MODE: 'http', LARK_ENCRYPT_KEY: ENCRYPT_KEY,
    LOCAL_CHAT: 'on', ADMINS: `local:admin,lark:${ADMIN.openId}`,
    ...env,
  }, opts.logDestination ? { logDestination: opts.logDestination } : {});
  const lark = bot.adapter<LarkAdapter>('lark')!;
  const dispatch = async (payload: object) => {
    const result = await lark.dispatcher.invoke(payload, { needCheck: false });
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
