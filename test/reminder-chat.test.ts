// Reminders through the local chat API: /remind and /missing, the scheduled stage reaching the
// group through the real queue and worker, catch-up after downtime, and rescheduling on a changed
// deadline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';
import { stageJobId, type StageJobData } from '../jobs/reminder-queue.js';
import { deliveryKey, reminderRuntime } from '../jobs/reminder-queue.js';
import { bindChat } from '../src/services/members.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
});
afterEach(async () => bot.close());

const PLAN_TEXT = '【竞赛计划】\n企业名称：东城建设集团有限公司\n竞赛项目：快速路“五比一创”劳动竞赛\n组织方式：工会与项目部联合组织\n参与人数：320\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：是';

async function districtWithOneFiling() {
  const d = await setUpDistrict(bot);
  for (const [user, unit] of [[d.east, '东城街道工会'], [d.west, '西城街道工会'], [d.park, '高新园区工会']] as const) {
    expect(textOf(await bot.say(user, `/join ${unit}`))).toContain('已登记');
  }
  expect(textOf(await bot.say(d.east, PLAN_TEXT))).toContain('竞赛计划已收到');
  const campaign = (await bot.app.db.campaign.findFirst())!;
  return { ...d, campaign };
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Jobs completed in every reminder queue: the stages in the planner, the sends in the local chat's queue. */
async function completedJobs(): Promise<number> {
  const counts = await Promise.all(bot.reminders.queues.all().map((q) => q.getJobCounts('completed')));
  return counts.reduce((n, c) => n + (c.completed ?? 0), 0);
}

const reminderMessages = async (chatId: string) => (await bot.transcript(chatId)).filter((m) => m.fromBot && m.text.includes('⏰'));

describe('reminders in the group', () => {
  it('/remind mentions only the filers of the two units that have not filed, and the roll-call names exactly them', async () => {
    const { admin, east, west, park } = await districtWithOneFiling();
    const replies = await bot.say(admin, '/remind plan');
    expect(replies).toHaveLength(1);
    const reply = replies[0];
    if (reply.kind !== 'text') throw new Error('expected text');
    expect(reply.mentions.sort()).toEqual([park.userId, west.userId].sort());
    expect(reply.mentions).not.toContain(east.userId);
    expect(reply.text).toContain('已交 1/3 个单位');
    const missingLine = reply.text.split('\n').find((l) => l.startsWith('未交'))!;
    expect(missingLine).toBe('未交（2）：西城街道工会、高新园区工会');
    expect(reply.text).toContain('/计划');

    const missing = await bot.say(west, '/missing');
    const m = missing[0];
    if (m.kind !== 'text') throw new Error('expected text');
    expect(m.mentions).toEqual([]);
    expect(m.text).toContain('· 西城街道工会 — 联络员：西城张干事');
    expect(m.text).toContain('· 高新园区工会 — 联络员：园区赵干事');
    expect(m.text).not.toContain('东城街道工会 —');

    expect(textOf(await bot.say(west, '/remind'))).toContain('管理员'); // not an admin
  });

  it('a scheduled stage reaches each bound group once, only groups with missing units, decided at send time', async () => {
    const { east, west, park, campaign } = await districtWithOneFiling();
    // East's own group: its only unit has filed, so it must get nothing.
    expect(textOf(await bot.say({ userId: 'admin', userName: '王主席', chatId: 'east-group' }, '/bind 东城街道工会 2027'))).toContain('✅');
    // West files after the stage was scheduled: decided at send time, so West is not chased.
    expect(textOf(await bot.say(west, PLAN_TEXT.replace('东城建设集团有限公司', '西城电力有限公司')))).toContain('竞赛计划已收到');

    bot.setNow('2027-02-25T09:31:00+08:00'); // the 3-days-before stage (2027 is on the estimate: 25 February is a working day)
    await reminderRuntime(bot.app)!.reconcileAll();
    const [msg] = await waitFor(async () => {
      const got = await reminderMessages(east.chatId);
      return got.length ? got : undefined;
    });
    expect(msg.mentions).toEqual([park.userId]);
    expect(msg.text).toContain('未交（1）：高新园区工会');
    expect(msg.text).toContain('还有 3 天');
    const row = await waitFor(() => bot.app.db.reminderDelivery.findFirst({ where: { chatId: east.chatId, status: 'sent', form: 'plan' } }).then((r) => r ?? undefined));
    expect(row.stage).toBe('d3');

    // Running the same stage again (a retried or re-added job) sends nothing new.
    const id = stageJobId({ campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage: 'd3' });
    const queue = bot.reminders.queue;
    await (await queue.getJob(id))?.remove();
    await reminderRuntime(bot.app)!.reconcileAll();
    await waitFor(async () => (await completedJobs()) >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(await reminderMessages(east.chatId)).toHaveLength(1);
    expect(await reminderMessages('east-group')).toHaveLength(0);
  });

  it('a send that died between claiming and confirming is settled from the transcript, never doubled', async () => {
    const { east, campaign } = await districtWithOneFiling();
    const db = bot.app.db;
    const district = (await db.unit.findUnique({ where: { name: '测试区总工会' } }))!;
    for (const chatId of ['landed-group', 'lost-group']) {
      await bindChat(db, { platform: 'local', chatId, unitId: district.id, campaignId: campaign.id, by: 'admin' });
      const key = deliveryKey({ campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage: 'd3', platform: 'local', chatId });
      await db.reminderDelivery.create({ data: { key, campaignId: campaign.id, form: 'plan', stage: 'd3', platform: 'local', chatId, status: 'claimed', attempts: 1 } });
    }
    // The first one had reached the chat when the worker died; the second had not.
    await db.localChatMessage.create({ data: { chatId: 'landed-group', senderId: 'bot', senderName: '赛务助手', fromBot: true, text: '⏰ 【计划备案】催交提醒（2027年度）' } });

    bot.setNow('2027-02-25T09:31:00+08:00');
    await reminderRuntime(bot.app)!.reconcileAll();
    await waitFor(async () => (await db.reminderDelivery.count({ where: { status: 'sent', form: 'plan' } })) === 3);
    expect(await reminderMessages('landed-group')).toHaveLength(1);
    expect(await reminderMessages('lost-group')).toHaveLength(1);
    expect(await reminderMessages(east.chatId)).toHaveLength(1);
  });

  it('after downtime the passed stages collapse into one catch-up reminder', async () => {
    const { east, campaign } = await districtWithOneFiling();
    const queue = bot.reminders.queue;
    // Down from before the 14-days-before stage until after the first overdue one (Tue 2 March).
    bot.setNow('2027-03-03T10:00:00+08:00');
    const passed = ['d14', 'd7', 'd3', 'd1', 'd0', 'o1'];
    for (const stage of passed) {
      const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage, fireAt: new Date().toISOString() };
      const job = await queue.getJob(stageJobId(data));
      if (job) await job.promote(); // the delayed job falls due, as it would after the downtime
      else await queue.add('stage', data, { jobId: stageJobId(data) });
    }
    const [msg] = await waitFor(async () => {
      const got = await reminderMessages(east.chatId);
      return got.length ? got : undefined;
    });
    await waitFor(async () => (await completedJobs()) >= passed.length + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await reminderMessages(east.chatId)).toHaveLength(1);
    expect(msg.text).toContain('补发');
    expect(msg.text).toContain('已逾期 3 天');
    const rows = await bot.app.db.reminderDelivery.findMany({ where: { chatId: east.chatId } });
    expect(rows.map((r) => r.stage)).toEqual(['o1']);
  });

  it('/reminders and /holiday change the schedule, and bad values get a message naming the field', async () => {
    const { admin, campaign } = await districtWithOneFiling();
    const queue = bot.reminders.queue;
    const job = (stage: string) => queue.getJob(stageJobId({ campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage }));
    expect(textOf(await bot.say(admin, '/reminders set 时间=25:00'))).toContain('时间：请写 24 小时制的北京时间');
    expect(textOf(await bot.say(admin, '/reminders set 提前天数=10,5,0 时间=8:45 逾期次数=2'))).toContain('✅');
    expect(await job('d14')).toBeUndefined();
    expect(await job('o3')).toBeUndefined();
    expect((await job('d10'))?.data).toMatchObject({ fireAt: '2027-02-18T00:45:00.000Z' });
    // 28 Feb 2027 is a Sunday: the day reminder goes out on Friday 26th …
    expect((await job('d0'))?.data).toMatchObject({ fireAt: '2027-02-26T00:45:00.000Z' });
    // … until an admin declares that Friday a holiday.
    expect(textOf(await bot.say(admin, '/holiday add 2027-02-26 名称=测试假'))).toContain('✅ 已录入放假');
    expect((await job('d0'))?.data).toMatchObject({ fireAt: '2027-02-25T00:45:00.000Z' });
    const view = textOf(await bot.say(admin, '/holiday 2027'));
    expect(view).toContain('2027年：放假安排尚未公布，按法定节假日规则预估');
    expect(view).toContain('· 2月26日（周五） 放假（测试假）');
    expect(textOf(await bot.say(admin, '/holiday add 明天见'))).toContain('日期「明天见」');
  });

  it('changing a deadline removes the old jobs and schedules new ones', async () => {
    const { admin, campaign } = await districtWithOneFiling();
    const queue = bot.reminders.queue;
    const id = (deadline: string, stage: string) => stageJobId({ campaignId: campaign.id, form: 'plan', deadline, stage });
    expect(await queue.getJob(id('2027-02-28', 'd0'))).toBeTruthy();
    expect(await queue.getJob(id('2027-02-28', 'o1'))).toBeTruthy();

    expect(textOf(await bot.say(admin, '/campaign set 计划截止=2027-03-10'))).toContain('✅');
    for (const stage of ['d14', 'd7', 'd3', 'd1', 'd0', 'o1', 'o5']) expect(await queue.getJob(id('2027-02-28', stage))).toBeUndefined();
    for (const stage of ['d7', 'd3', 'd1', 'd0', 'o1', 'o5']) expect(await (await queue.getJob(id('2027-03-10', stage)))?.getState()).toBe('delayed');
    const planJobs = (await queue.getJobs(['delayed', 'waiting'])).filter((j) => j.data.kind === 'stage' && j.data.form === 'plan');
    expect(new Set(planJobs.map((j) => (j.data as StageJobData).deadline))).toEqual(new Set(['2027-03-10']));

    const view = textOf(await bot.say(admin, '/reminders'));
    expect(view).toContain('计划备案，截止2027年3月10日');
    expect(view).toContain('⚠️ 2027年放假安排尚未公布');
  });
});
