// A WeChat world for tests: the real Saiwu with real Wechaty on wechaty-puppet-mock, one district
// group room with the bot, an admin and three street-union cadres. Everything the account is asked
// to send is recorded by wrapping the puppet's send methods (the mock drops mention ids otherwise).
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { types } from 'wechaty';
import type { Pacing } from '../../src/platforms/wechat/send-queue.js';
import { startTestBot, type TestBot } from './harness.js';
import type { WechatAdapter, WechatStartOptions } from '../../src/platforms/wechat/wechat-adapter.js';

export const FAST_PACING: Partial<Pacing> = { sameChatMs: [0, 5], switchChatMs: [0, 5], perWindow: 1000, windowMs: 1000 };
export const BOT_NAME = '赛务助手';
export const ROOM_TOPIC = '测试区竞赛工作群';

export interface SentMessage {
  chatId: string;
  text?: string;
  mentionIds?: string[];
  fileName?: string;
  at: number;
}

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;

export interface WechatWorld {
  bot: TestBot;
  mocker: mock.Mocker;
  puppet: PuppetMock;
  botUser: ContactMock;
  room: RoomMock;
  people: { admin: ContactMock; east: ContactMock; west: ContactMock; park: ContactMock };
  sent: SentMessage[];
  /** A member writes in the room; `atBot` prefixes "@赛务助手\u2005" with a real mention, as phones do. */
  say(who: ContactMock, text: string, opts?: { atBot?: boolean; to?: RoomMock | ContactMock }): void;
  /** Waits until the bot has sent something matching, returns it. */
  waitForSent(match: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  /** Everything sent after position `from`, once the bot has been quiet for a moment. */
  settle(from?: number, quietMs?: number): Promise<SentMessage[]>;
  /**
   * A message dated in the past, as a puppet replaying backlog would deliver it (`id`: the same
   * message replayed twice). Returns its id.
   */
  inject(who: ContactMock, text: string, ageMs: number, opts?: { id?: string; atBot?: boolean }): string;
  close(): Promise<void>;
}

export interface WorldOptions {
  pacing?: Partial<Pacing>;
  stableIds?: boolean;
  /** Runs after the bot started and before the mock account logs in (e.g. to plant old data). */
  beforeLogin?: (bot: TestBot, world: Pick<WechatWorld, 'mocker' | 'puppet' | 'room' | 'people' | 'botUser'> & { extra: ContactMock[] }) => Promise<void>;
  env?: Record<string, string>;
  /** More people in the district room (e.g. two with the same name). */
  extraMembers?: { id: string; name: string }[];
  /** Capture the bot's log (see harness captureLog). */
  logDestination?: { write(line: string): void };
  /** Another puppet on the same mocker (test/support/wechat4u-raw.ts: wechat4u's raw messages). */
  puppet?: (mocker: mock.Mocker) => PuppetMock;
  /** Ids as another protocol shapes them (wechat4u: "@@…" rooms, "@…" contacts). */
  ids?: Partial<Record<'bot' | 'admin' | 'east' | 'west' | 'park' | 'room', string>>;
  /** More WeChat adapter options (e.g. offlineNoteDelayMs). */
  adapter?: Partial<WechatStartOptions>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startWechatWorld(opts: WorldOptions = {}): Promise<WechatWorld> {
  const mocker = new mock.Mocker();
  const puppet = opts.puppet ? opts.puppet(mocker) : new PuppetMock({ mocker });
  const ids = { bot: 'wx-bot', admin: 'wx-admin', east: 'wx-east', west: 'wx-west', park: 'wx-park', room: 'district@chatroom', ...opts.ids };
  const sent: SentMessage[] = [];
  const sendText = puppet.messageSendText.bind(puppet) as (chatId: string, text: string, mentionIds?: string[]) => Promise<void>;
  puppet.messageSendText = async (chatId: string, text: string, mentionIds?: string[]) => {
    sent.push({ chatId, text, mentionIds: mentionIds ?? [], at: Date.now() });
    return sendText(chatId, text, mentionIds);
  };
  const sendFile = puppet.messageSendFile.bind(puppet);
  puppet.messageSendFile = async (chatId, file) => {
    sent.push({ chatId, fileName: file.name, at: Date.now() });
    return sendFile(chatId, file);
  };

  const botUser = mocker.createContact({ id: ids.bot, name: BOT_NAME });
  const people = {
    admin: mocker.createContact({ id: ids.admin, name: '王主席' }),
    east: mocker.createContact({ id: ids.east, name: '东城李干事' }),
    west: mocker.createContact({ id: ids.west, name: '西城张干事' }),
    park: mocker.createContact({ id: ids.park, name: '园区赵干事' }),
  };
  const extra = (opts.extraMembers ?? []).map((p) => mocker.createContact(p));
  const room = mocker.createRoom({ id: ids.room, topic: ROOM_TOPIC, memberIdList: [botUser.id, ...Object.values(people).map((p) => p.id), ...extra.map((p) => p.id)] });

  const bot = await startTestBot(
    { WECHAT_ENABLED: '1', LOCAL_CHAT: 'on', ADMINS: `local:admin,wechat:${ids.admin}`, ...opts.env },
    { platformOptions: { wechat: { ...opts.adapter, puppet, pacing: opts.pacing ?? FAST_PACING, ...(opts.stableIds !== undefined ? { stableIds: opts.stableIds } : {}) } }, ...(opts.logDestination ? { logDestination: opts.logDestination } : {}) },
  );
  await opts.beforeLogin?.(bot, { mocker, puppet, room, people, botUser, extra });
  mocker.login(botUser);
  puppet.emit('ready', { data: 'mock' });
  await bot.adapter<WechatAdapter>('wechat')!.wechaty.ready();
  await sleep(50);

  const world: WechatWorld = {
    bot, mocker, puppet, botUser, room, people, sent,
    say(who, text, o = {}) {
      const atBot = o.atBot ?? false;
      who.say(atBot ? `@${BOT_NAME}\u2005${text}` : text, atBot ? [botUser] : []).to(o.to ?? room);
    },
    async waitForSent(match, timeoutMs = 8000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = sent.find(match);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`bot did not send the expected message; it sent:\n${sent.map((m) => m.text ?? `[file ${m.fileName}]`).join('\n---\n')}`);
        await sleep(20);
      }
    },
    async settle(from = 0, quietMs = 400) {
      let count = -1;
      while (count !== sent.length) {
        count = sent.length;
        await sleep(quietMs);
      }
      return sent.slice(from);
    },
    inject(who, text, ageMs, o = {}) {
      const id = o.id ?? `old-${Math.random().toString(36).slice(2)}`;
      const body = o.atBot ? `@${BOT_NAME}\u2005${text}` : text;
      if (!mocker.cacheMessagePayload.has(id)) {
        mocker.MessageMock.create({ id, talkerId: who.id, roomId: room.id, timestamp: Date.now() - ageMs, type: types.Message.Text, text: body, mentionIdList: o.atBot ? [botUser.id] : [] } as never);
      }
      puppet.emit('message', { messageId: id });
      return id;
    },
    async close() {
      await bot.close();
    },
  };
  return world;
}

/** Admin binds the room to the district, and cadres register, all through WeChat. */
export async function setUpWechatDistrict(world: WechatWorld, join: ('east' | 'west' | 'park')[] = ['east', 'west', 'park']): Promise<void> {
  const admin = { userId: 'admin', userName: '王主席', chatId: 'setup' };
  for (const step of ['/unit add 测试区总工会 职工数=20000', '/unit add 东城街道工会 上级=测试区总工会', '/unit add 西城街道工会 上级=测试区总工会', '/unit add 高新园区工会 上级=测试区总工会', '/campaign add 2027']) {
    const replies = await world.bot.say(admin, step);
    if (!JSON.stringify(replies).includes('✅')) throw new Error(`setup step "${step}" failed: ${JSON.stringify(replies)}`);
  }
  const units = { east: '东城街道工会', west: '西城街道工会', park: '高新园区工会' };
  let from = world.sent.length;
  world.say(world.people.admin, '/bind 测试区总工会', { atBot: true });
  await world.waitForSent((m) => world.sent.indexOf(m) >= from && Boolean(m.text?.includes('已绑定到「测试区总工会」')));
  for (const who of join) {
    from = world.sent.length;
    world.say(world.people[who], `/join ${units[who]}`, { atBot: true });
    await world.waitForSent((m) => world.sent.indexOf(m) >= from && Boolean(m.text?.includes(`已登记为「${units[who]}」`)));
  }
}
