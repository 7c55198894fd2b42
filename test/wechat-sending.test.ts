// What the WeChat account sends, as the real protocol makes it behave: one paced queue where replies
// to people overtake a reminder fan-out, a throttle ("1205 == 0") that pauses the whole account, and a
// restart in the middle of a fan-out after which every group still gets exactly one reminder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { setUpWechatDistrict, startWechatWorld, type SentMessage, type WechatWorld, type WorldOptions } from './support/wechat-world.js';
import { reminderRuntime } from '../jobs/reminder-queue.js';
import type { WechatAdapter } from '../src/platforms/wechat/wechat-adapter.js';

const worlds: WechatWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EXTRA_ROOMS = Array.from({ length: 11 }, (_, i) => `g${i + 1}@chatroom`);
const REMINDER_AT = '2027-02-25T09:31:00+08:00'; // the 3-days-before stage of the plan deadline

async function until<T>(check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

/** A world whose district room and 11 more groups are rooms the bot is in (the groups bound later). */
async function world(opts: WorldOptions = {}): Promise<WechatWorld> {
  const w = await startWechatWorld({
    ...opts,
    beforeLogin: async (bot, x) => {
      for (const id of EXTRA_ROOMS) x.mocker.createRoom({ id, topic: `${id.slice(0, 3)}工作群`, memberIdList: [x.botUser.id, x.people.admin.id, x.people.west.id] });
      await opts.beforeLogin?.(bot, x);
    },
  });
  worlds.push(w);
  return w;
}

async function bindExtraRooms(w: WechatWorld): Promise<void> {
  const db = w.bot.app.db;
  const [unit, campaign] = [await db.unit.findUniqueOrThrow({ where: { name: '测试区总工会' } }), await db.campaign.findFirstOrThrow()];
  for (const chatId of EXTRA_ROOMS) await db.chatBinding.create({ data: { platform: 'wechat', chatId, topic: `${chatId.slice(0, 3)}工作群`, unitId: unit.id, campaignId: campaign.id, createdBy: 'admin' } });
}

const reminders = (sent: SentMessage[]) => sent.filter((m) => m.text?.includes('⏰'));

describe('the WeChat send queue', () => {
  it('lets a reply overtake a reminder fan-out already queued', async () => {
    const w = await world({ pacing: { sameChatMs: [200, 200], switchChatMs: [200, 200], perWindow: 1000, windowMs: 1000 } });
    await setUpWechatDistrict(w, ['east']);
    await bindExtraRooms(w);
    w.bot.setNow(REMINDER_AT);
    await reminderRuntime(w.bot.app)!.reconcileAll();
    // The fan-out has begun: twelve groups at 200 ms each.
    await until(() => reminders(w.sent).length >= 1);
    const from = w.sent.length;
    w.say(w.people.east, '/help', { atBot: true });
    const help = await w.waitForSent((m) => w.sent.indexOf(m) >= from && Boolean(m.text?.includes('/计划') && !m.text.includes('⏰')));
    await until(() => reminders(w.sent).length === 12);
    // Most reminders were still waiting when the reply went out: it did not queue behind them.
    expect(reminders(w.sent.slice(w.sent.indexOf(help))).length).toBeGreaterThanOrEqual(6);
  });

  it('pauses the whole account when WeChat refuses a send as too frequent (1205), and sends again after the pause', async () => {
    const w = await world({ pacing: { sameChatMs: [0, 0], switchChatMs: [0, 0], perWindow: 1000, windowMs: 1000, backoffMs: 1500 } });
    await setUpWechatDistrict(w, ['east']);
    const adapter = w.bot.adapter<WechatAdapter>('wechat')!;
    // wechat4u reports BaseResponse.Ret 1205 (请求频率过高) as a failed assertion.
    const send = w.puppet.messageSendText.bind(w.puppet);
    let refusals = 1;
    let attempts = 0;
    w.puppet.messageSendText = async (...args: Parameters<typeof send>) => {
      attempts++;
      if (refusals-- > 0) throw Object.assign(new Error('1205 == 0'), { code: 'ERR_ASSERTION' });
      return send(...args);
    };
    const from = w.sent.length;
    w.say(w.people.east, '/help', { atBot: true });
    await until(() => attempts >= 1);
    const state = adapter.sender.throttleState();
    expect(state.pausedUntil).toBeGreaterThan(Date.now());
    expect(state.last?.reason).toContain('1205');
    // Nothing leaves the account during the pause — not even a reply to someone else.
    w.say(w.people.east, '/截止', { atBot: true });
    await sleep(800);
    expect(attempts).toBe(1);
    await until(() => attempts >= 2, 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(state.pausedUntil! - 50);
    await w.waitForSent((m) => w.sent.indexOf(m) >= from && Boolean(m.text?.includes('2027年2月28日')));
  });
});

describe('a restart during a WeChat reminder fan-out', () => {
  it('gives every one of 12 groups exactly one reminder: unsent ones go out after the restart, none twice', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-restart-'));
    const env = { DATA_DIR: dataDir, REDIS_PREFIX: `t${randomUUID().slice(0, 8)}` };
    const pacing = { sameChatMs: [250, 250] as [number, number], switchChatMs: [250, 250] as [number, number], perWindow: 1000, windowMs: 1000 };
    try {
      const first = await world({ env, pacing });
      await setUpWechatDistrict(first, ['east']);
      await bindExtraRooms(first);
      first.bot.setNow(REMINDER_AT);
      await reminderRuntime(first.bot.app)!.reconcileAll();
      await until(() => reminders(first.sent).length >= 3);
      // A deploy: the bot is stopped in the middle of the fan-out (graceful, as SIGTERM does).
      await first.close();
      worlds.splice(worlds.indexOf(first), 1);
      const before = reminders(first.sent);
      expect(before.length).toBeLessThan(12);

      const second = await world({ env, pacing });
      second.bot.setNow(REMINDER_AT);
      await until(() => new Set([...before, ...reminders(second.sent)].map((m) => m.chatId)).size === 12 || undefined, 30_000);
      await second.settle(0, 1000);
      const perGroup = new Map<string, number>();
      for (const m of [...before, ...reminders(second.sent)]) perGroup.set(m.chatId, (perGroup.get(m.chatId) ?? 0) + 1);
      expect([...perGroup.values()]).toEqual(Array(12).fill(1));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
