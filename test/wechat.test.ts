// WeChat end to end: real Saiwu, real Wechaty, wechaty-puppet-mock standing in for WeChat. What we
// assert is what the account was asked to send and what ended up in the database.
import { afterEach, describe, expect, it } from 'vitest';
import { setUpWechatDistrict, startWechatWorld, BOT_NAME, type WechatWorld } from './support/wechat-world.js';

let world: WechatWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const after = (w: WechatWorld, from: number, needle: string) => (m: { text?: string }) => w.sent.indexOf(m as never) >= from && Boolean(m.text?.includes(needle));

/** Says `answer` as `who` and waits for the account to send something containing `expected`. */
const asker = (w: WechatWorld, who: WechatWorld['people']['east']) => async (answer: string, expected: string) => {
  const from = w.sent.length;
  w.say(who, answer);
  return (await w.waitForSent(after(w, from, expected))).text!;
};

describe('WeChat text forms', () => {
  it('sends the /plan template and files what a member sends back', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    let from = w.sent.length;
    w.say(w.people.east, '/plan', { atBot: true });
    const template = await w.waitForSent(after(w, from, '【竞赛计划】\n'));
    const lines = template.text!.split('\n');
    expect(lines[0]).toBe('【竞赛计划】');
    expect(lines.slice(1).every((l) => l.endsWith('：'))).toBe(true);
    expect(template.text).not.toContain(':');
    const guide = w.sent.slice(from).find((m) => m.text?.includes('请复制下一条消息'));
    expect(guide?.text).toContain('/填表 计划');

    from = w.sent.length;
    w.say(w.people.east, [
      '【竞赛计划】',
      '企业名称： 东城建设集团有限公司',
      '竞赛项目：快速路“五比一创”劳动竞赛',
      '组织方式 ：工会与项目部联合组织',
      '参与人数：约120人',
      '时间安排：2027年3月1日至10月31日',
      '竞赛类型：五比一创',
      '重点项目：是',
      '参与人员与其他竞赛不重复：',
      '经费预算：',
    ].join('\n'), { atBot: true });
    const receipt = await w.waitForSent(after(w, from, '竞赛计划已收到'));
    expect(receipt.text).toContain('参与约120人');
    const plans = await w.bot.app.db.plan.findMany();
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ enterpriseName: '东城建设集团有限公司', organizer: '工会与项目部联合组织', participants: 120, startDate: '2027-03-01', endDate: '2027-10-31', keyProject: true, budgetFen: null });
  });
});

describe('guided filing', () => {
  it('asks one field at a time, takes 上一步 and 跳过, and files only after 确认', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east', 'west']);
    const east = w.people.east;
    const ask = asker(w, east);
    let from = w.sent.length;
    w.say(east, '/填表 计划');
    const first = await w.waitForSent(after(w, from, '（第 1/9 项）请回复「企业名称」'));
    expect(first.mentionIds).toEqual([east.id]);

    await ask('东城建设集团有限公司', '「竞赛项目」');
    // Someone else talking in the group is not taken as an answer.
    from = w.sent.length;
    w.say(w.people.west, '收到');
    await ask('快速路“五比一创”劳动竞赛', '「组织方式」');
    expect(w.sent.slice(from).every((m) => !m.mentionIds?.includes(w.people.west.id))).toBe(true);
    await ask('班组对抗', '「参与人数」');
    expect(await ask('很多人', '「参与人数」请填写一个整数')).toContain('（第 4/9 项）');
    expect(await ask('上一步', '（第 3/9 项）请回复「组织方式」')).toContain('已填：班组对抗');
    await ask('工会与项目部联合组织', '「参与人数」');
    await ask('约 120 人', '「时间安排」');
    await ask('2027年3月1日至10月31日', '「竞赛类型」');
    await ask('五比一创', '「重点项目」');
    await ask('是', '「参与人员与其他竞赛不重复」');
    await ask('跳过', '「经费预算」');
    expect(await ask('跳过', '请核对【竞赛计划】')).toContain('经费预算：（未填）');
    expect(await w.bot.app.db.plan.count()).toBe(0);

    const summary = w.sent[w.sent.length - 1].text!;
    expect(summary).toContain('组织方式：工会与项目部联合组织');
    expect(summary).toContain('参与人数：约120人');
    const receipt = await ask('确认', '竞赛计划已收到');
    expect(receipt).toContain('东城街道工会「');
    const plan = await w.bot.app.db.plan.findFirstOrThrow();
    expect(plan).toMatchObject({ enterpriseName: '东城建设集团有限公司', organizer: '工会与项目部联合组织', participants: 120, type: 'wubiyichuang', budgetFen: null });

    // The session is over: the next message is ordinary chat again.
    from = w.sent.length;
    w.say(east, '确认');
    expect(await w.settle(from)).toEqual([]);
  });

  it('asks 重点项目 against the federation\'s list: offers the names, refuses a near miss, files the one named', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    const east = w.people.east;
    const ask = asker(w, east);
    const admin = { userId: 'admin', userName: '王主席', chatId: 'setup' };
    expect((await w.bot.say(admin, '/重点项目 添加 地铁3号线 单位=东城街道工会')).map((r) => ('text' in r ? r.text : '')).join('')).toContain('✅');
    await ask('/填表 计划', '「企业名称」');
    await ask('东城建设集团有限公司', '「竞赛项目」');
    await ask('地铁3号线五比一创劳动竞赛', '「组织方式」');
    await ask('工会与项目部联合组织', '「参与人数」');
    await ask('120', '「时间安排」');
    await ask('2027年3月1日至10月31日', '「竞赛类型」');
    const question = await ask('五比一创', '「重点项目」');
    expect(question).toContain('本年度重点项目：地铁3号线');
    expect(await ask('地铁三号线', '是不是「地铁3号线」')).toContain('（第 7/9 项）');
    await ask('地铁3号线', '「参与人员与其他竞赛不重复」');
    await ask('跳过', '「经费预算」');
    expect(await ask('跳过', '请核对【竞赛计划】')).toContain('重点项目：地铁3号线');
    expect(await ask('确认', '竞赛计划已收到')).toContain('重点项目：地铁3号线');
    const plan = await w.bot.app.db.plan.findFirstOrThrow({ include: { keyProjectRef: true } });
    expect([plan.keyProject, plan.keyProjectRef?.name]).toEqual([true, '地铁3号线']);
  });

  it('offers the unit\'s plan numbers for a progress update and refuses one that is not theirs', async () => {
    const w = (world = await startWechatWorld());
    w.bot.setNow('2027-05-21T09:00:00+08:00');
    await setUpWechatDistrict(w, ['east']);
    const east = w.people.east;
    const ask = asker(w, east);
    await ask('【竞赛计划】\n企业名称：东城建设\n竞赛项目：安康杯竞赛\n组织方式：班组\n参与人数：50\n时间安排：2027-03-01至2027-06-30\n竞赛类型：安康杯\n重点项目：否', '竞赛计划已收到');
    const plan = await w.bot.app.db.plan.findFirstOrThrow();
    expect(await ask('/填表 进度', '「计划编号」')).toContain(`#${plan.id} 安康杯竞赛`);
    expect(await ask(String(plan.id + 99), '本单位没有这项计划')).toContain('（第 1/4 项）');
    await ask(String(plan.id), '「日期」');
    await ask('5月20日', '「进展情况」');
    await ask('开展第一轮隐患排查', '「累计参与人数」');
    expect(await ask('跳过', '请核对【竞赛进度】')).toContain('日期：2027年5月20日');
    await ask('确认', '竞赛进度已收到');
    expect(await w.bot.app.db.progressUpdate.findFirstOrThrow()).toMatchObject({ planId: plan.id, date: '2027-05-20', content: '开展第一轮隐患排查', participants: null });
  });

  it('is cancelled half way and stores nothing', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    let from = w.sent.length;
    w.say(w.people.east, '/plan 逐项', { atBot: true });
    await w.waitForSent(after(w, from, '「企业名称」'));
    from = w.sent.length;
    w.say(w.people.east, '东城建设集团有限公司');
    await w.waitForSent(after(w, from, '「竞赛项目」'));
    from = w.sent.length;
    w.say(w.people.east, '跳过');
    await w.waitForSent(after(w, from, '「竞赛项目」是必填项，不能跳过'));
    from = w.sent.length;
    w.say(w.people.east, '取消');
    await w.waitForSent(after(w, from, '已取消竞赛计划的逐项填写，没有保存任何内容'));
    from = w.sent.length;
    w.say(w.people.east, '快速路劳动竞赛');
    expect(await w.settle(from)).toEqual([]);
    expect(await w.bot.app.db.plan.count()).toBe(0);
    const keys = await w.bot.redis.connection.keys(`${w.bot.config.redisPrefix}:guided:*`);
    expect(keys).toEqual([]);
  });
});

describe('sending', () => {
  it('a roll-call reminder @mentions exactly the filers of the units that have not filed, in one message', async () => {
    const { groupSummary, rollCallMessage } = await import('../src/services/reminders.js');
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east', 'west', 'park']);
    const db = w.bot.app.db;
    const binding = await db.chatBinding.findFirstOrThrow({ where: { platform: 'wechat' }, include: { campaign: true } });
    expect(binding).toMatchObject({ chatId: w.room.id, topic: '测试区竞赛工作群' });
    let from = w.sent.length;
    w.say(w.people.east, '【竞赛计划】\n企业名称：东城建设\n竞赛项目：安康杯竞赛\n组织方式：班组\n参与人数：50\n时间安排：2027-03-01至2027-06-30\n竞赛类型：安康杯\n重点项目：否');
    await w.waitForSent(after(w, from, '竞赛计划已收到'));

    const summary = await groupSummary(db, binding.campaign, binding.unitId, 'plan');
    const reminder = rollCallMessage(binding.campaign, summary, { platform: 'wechat', now: new Date('2027-02-20T09:00:00+08:00') });
    from = w.sent.length;
    await w.bot.app.senders.get('wechat')!.send(binding.chatId, [reminder], { idempotencyKey: 'plan-reminder-1' });
    const sent = w.sent.slice(from);
    expect(sent).toHaveLength(1);
    expect(sent[0].chatId).toBe(w.room.id);
    expect(new Set(sent[0].mentionIds)).toEqual(new Set([w.people.west.id, w.people.park.id]));
    expect(sent[0].text).toMatch(/^@(西城张干事|园区赵干事)\u2005@(西城张干事|园区赵干事) ⏰/);
    expect(sent[0].text).toContain('未交（2）：西城街道工会、高新园区工会');
    // A retried job does not post twice: its delivery row says what went out (wechat-sending.test.ts).
  });

  it('spaces messages like a person: longer when switching rooms, and never above the ceiling', async () => {
    const w = (world = await startWechatWorld({ pacing: { sameChatMs: [150, 150], switchChatMs: [400, 400], perWindow: 3, windowMs: 1200 } }));
    const other = w.mocker.createRoom({ id: 'other@chatroom', topic: '另一个群', memberIdList: [w.botUser.id, w.people.east.id] });
    const sender = w.bot.app.senders.get('wechat')!;
    const from = w.sent.length;
    await sender.send(w.room.id, [{ kind: 'text', text: '一' }, { kind: 'text', text: '二' }]);
    await sender.send(other.id, [{ kind: 'text', text: '三' }]);
    await sender.send(other.id, [{ kind: 'text', text: '四' }]);
    const [a, b, c, d] = w.sent.slice(from);
    expect([a.text, b.text, c.text, d.text]).toEqual(['一', '二', '三', '四']);
    expect(b.at - a.at).toBeGreaterThanOrEqual(145);
    expect(c.at - b.at).toBeGreaterThanOrEqual(395);
    // The fourth message waits until the first leaves the 1.2 s window.
    expect(d.at - a.at).toBeGreaterThanOrEqual(1195);
  });

  it('splits long text at about 1,500 characters and sends Excel files as files', async () => {
    const w = (world = await startWechatWorld());
    const sender = w.bot.app.senders.get('wechat')!;
    const from = w.sent.length;
    const long = Array.from({ length: 120 }, (_, i) => `第${i + 1}行：${'赛'.repeat(20)}`).join('\n');
    await sender.send(w.room.id, [{ kind: 'text', text: long }, { kind: 'file', fileName: '计划汇总.xlsx', data: Buffer.from('PK fake xlsx') }]);
    const sent = w.sent.slice(from);
    const texts = sent.filter((m) => m.text !== undefined);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((m) => m.text!.length <= 1500)).toBe(true);
    expect(texts.map((m) => m.text).join('\n')).toBe(long);
    expect(sent[sent.length - 1].fileName).toBe('计划汇总.xlsx');
  });
});

describe('robustness', () => {
  it('ignores its own echo, and of the backlog before the login answers commands only, saying so', async () => {
    const w = (world = await startWechatWorld());
    let from = w.sent.length;
    // The bot's own "/help" comes back as a message event; answering it would loop.
    await w.bot.app.senders.get('wechat')!.send(w.room.id, [{ kind: 'text', text: '/help' }]);
    expect(await w.settle(from)).toHaveLength(1);
    from = w.sent.length;
    // Sent while the bot was offline: group talk stays unanswered, a command is answered late, with a note.
    w.inject(w.people.west, '@赛务助手 你好', 10 * 60_000);
    w.inject(w.people.east, '/help', 10 * 60_000);
    await w.waitForSent(after(w, from, '（机器人离线期间收到，现已处理）'));
    expect(w.sent.slice(from).map((m) => m.text).join('')).toMatch(new RegExp(`^我是${BOT_NAME}`));
    from = w.sent.length;
    w.say(w.people.east, '/help');
    await w.waitForSent(after(w, from, `我是${BOT_NAME}`));
    expect(w.sent.slice(from).some((m) => m.text?.includes('离线'))).toBe(false);
  });

  it('greets a group it is added to', async () => {
    const w = (world = await startWechatWorld());
    const newRoom = w.mocker.createRoom({ id: 'new@chatroom', topic: '新工作群', memberIdList: [w.people.admin.id] });
    const from = w.sent.length;
    newRoom.add(w.botUser).by(w.people.admin);
    const hello = await w.waitForSent(after(w, from, '/绑定 单位名称'));
    expect(hello.chatId).toBe('new@chatroom');
    expect((await w.settle(from)).filter((m) => m.chatId === 'new@chatroom')).toHaveLength(1);
  });

  it('forgets the group\'s binding when it is removed from the group, and leaves the unit\'s filings alone', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    const db = w.bot.app.db;
    expect(await db.chatBinding.count({ where: { platform: 'wechat', chatId: w.room.id } })).toBe(1);
    const members = await db.member.count();
    w.room.remove(w.botUser).by(w.people.admin);
    for (let i = 0; i < 100 && (await db.chatBinding.count({ where: { platform: 'wechat', chatId: w.room.id } })) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await db.chatBinding.count({ where: { platform: 'wechat', chatId: w.room.id } })).toBe(0);
    expect(await db.member.count()).toBe(members);
    // Someone else leaving changes nothing.
    const other = w.mocker.createRoom({ id: 'other@chatroom', topic: '另一个群', memberIdList: [w.botUser.id, w.people.admin.id, w.people.west.id] });
    const from = w.sent.length;
    w.say(w.people.admin, '/bind 西城街道工会', { atBot: true, to: other });
    await w.waitForSent(after(w, from, '已绑定'));
    other.remove(w.people.west).by(w.people.admin);
    await w.settle(from);
    expect(await db.chatBinding.count({ where: { platform: 'wechat', chatId: 'other@chatroom' } })).toBe(1);
  });

  it('understands "@赛务助手 " typed on a PC, where the puppet gives no mention list', async () => {
    const w = (world = await startWechatWorld());
    const from = w.sent.length;
    w.people.east.say(`@${BOT_NAME} 帮助`).to(w.room);
    await w.waitForSent(after(w, from, `我是${BOT_NAME}`));
  });

  it('answers and carries on when a handler or a send fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const w = (world = await startWechatWorld());
      const db = w.bot.app.db;
      // The dedupe table disappears: the bot cannot even start handling the message.
      await db.$executeRawUnsafe('ALTER TABLE "ProcessedEvent" RENAME TO "ProcessedEventAway"');
      let from = w.sent.length;
      w.say(w.people.east, '/help');
      await w.waitForSent(after(w, from, '抱歉，处理这条消息时出错了'));
      await db.$executeRawUnsafe('ALTER TABLE "ProcessedEventAway" RENAME TO "ProcessedEvent"');

      // WeChat refuses one send (as wechat4u does with "1204 == 0").
      const send = w.puppet.messageSendText;
      let failures = 1;
      w.puppet.messageSendText = async (chatId: string, text: string) => {
        if (failures-- > 0) throw new Error('AssertionError [ERR_ASSERTION]: 1204 == 0 发送文本信息失败');
        return send(chatId, text);
      };
      w.say(w.people.east, '/help');
      await new Promise((r) => setTimeout(r, 300));
      from = w.sent.length;
      w.say(w.people.west, '/help');
      await w.waitForSent(after(w, from, `我是${BOT_NAME}`));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('login and identity', () => {
  it('re-attaches bindings by room topic and members by name after a login with new ids, and tells the admin what it cannot', async () => {
    const w = (world = await startWechatWorld({
      stableIds: false,
      // What a previous session left behind: ids that no longer exist.
      async beforeLogin(bot) {
        const admin = { userId: 'admin', userName: '王主席', chatId: 'setup' };
        for (const step of ['/unit add 测试区总工会', '/unit add 东城街道工会 上级=测试区总工会', '/campaign add 2027']) await bot.say(admin, step);
        const db = bot.app.db;
        const [district, east] = [await db.unit.findFirstOrThrow({ where: { name: '测试区总工会' } }), await db.unit.findFirstOrThrow({ where: { name: '东城街道工会' } })];
        const campaign = await db.campaign.findFirstOrThrow();
        await db.chatBinding.create({ data: { platform: 'wechat', chatId: '@@old-district', topic: '测试区竞赛工作群', unitId: district.id, campaignId: campaign.id } });
        await db.chatBinding.create({ data: { platform: 'wechat', chatId: '@@old-gone', topic: '已解散的群', unitId: east.id, campaignId: campaign.id } });
        await db.member.create({ data: { platform: 'wechat', userId: '@old-east', name: '东城李干事', unitId: east.id } });
      },
    }));
    const db = w.bot.app.db;
    const dm = await w.waitForSent((m) => m.chatId === w.people.admin.id && Boolean(m.text?.includes('需要管理员处理')));
    expect(dm.text).toContain('找不到名为「已解散的群」的群');
    expect(await db.chatBinding.findFirst({ where: { topic: '测试区竞赛工作群' } })).toMatchObject({ chatId: w.room.id });
    expect(await db.member.findFirst({ where: { name: '东城李干事' } })).toMatchObject({ userId: w.people.east.id });

    const login = await (await fetch(`${w.bot.url}/api/wechat/login`)).json() as { status: string; problems: string[] };
    expect(login.status).toBe('logged-in');
    expect(login.problems.join('\n')).toContain('已解散的群');

    const from = w.sent.length;
    w.say(w.people.east, '/mine');
    const mine = await w.waitForSent(after(w, from, '东城街道工会'));
    expect(mine.text).not.toContain('还没有登记');

    // A renamed room keeps its binding under the new name.
    w.room.topic('测试区竞赛群（2027）').by(w.people.admin);
    for (let i = 0; i < 50 && (await db.chatBinding.findFirst({ where: { chatId: w.room.id } }))?.topic !== '测试区竞赛群（2027）'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await db.chatBinding.findFirst({ where: { chatId: w.room.id } })).toMatchObject({ topic: '测试区竞赛群（2027）' });
  });

  it('shows the login QR on the web page, and a new one after a logout', async () => {
    const { ScanStatus } = await import('wechaty');
    let qrBeforeLogin: { status: string; qrUrl?: string } | null = null;
    let svg = '';
    const w = (world = await startWechatWorld({
      async beforeLogin(bot, { mocker }) {
        mocker.scan('https://login.weixin.qq.com/l/first-code', ScanStatus.Waiting);
        await new Promise((r) => setTimeout(r, 50));
        qrBeforeLogin = await (await fetch(`${bot.url}/api/wechat/login`)).json();
        svg = await (await fetch(`${bot.url}${qrBeforeLogin!.qrUrl}`)).text();
      },
    }));
    expect(qrBeforeLogin).toMatchObject({ status: 'waiting-scan', qrUrl: expect.stringContaining('/api/wechat/login/qr.svg') });
    expect(svg).toMatch(/^<svg[\s\S]*<path d="M/);
    const page = await (await fetch(`${w.bot.url}/wechat`)).text();
    expect(page).toContain('微信登录');

    const state = async () => (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as { status: string; qrUrl?: string };
    expect(await state()).toMatchObject({ status: 'logged-in' });
    await w.puppet.logout('test');
    expect((await state()).status).toBe('logged-out');
    let from = w.sent.length;
    w.say(w.people.east, '/help');
    expect(await w.settle(from)).toEqual([]);

    w.mocker.scan('https://login.weixin.qq.com/l/second-code', ScanStatus.Waiting);
    await new Promise((r) => setTimeout(r, 50));
    const again = await state();
    expect(again.status).toBe('waiting-scan');
    expect(again.qrUrl).not.toBe(qrBeforeLogin!.qrUrl);

    w.mocker.login(w.botUser);
    await new Promise((r) => setTimeout(r, 50));
    from = w.sent.length;
    w.say(w.people.east, '/help');
    await w.waitForSent(after(w, from, `我是${BOT_NAME}`));
  });
});

describe('files from WeChat', () => {
  it("holds an admin's spreadsheet for the next /import", async () => {
    const { types } = await import('wechaty');
    const { FileBox } = await import('file-box');
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, []);
    const sendFile = (who: typeof w.people.admin, name: string, content: string) => {
      const id = `file-${Math.random().toString(36).slice(2)}`;
      w.mocker.cacheFileBoxPayload.set(id, FileBox.fromBase64(Buffer.from(content).toString('base64'), name).toJSON());
      w.mocker.MessageMock.create({ id, talkerId: who.id, roomId: w.room.id, timestamp: Date.now(), type: types.Message.Attachment, text: name } as never);
      w.puppet.emit('message', { messageId: id });
    };
    let from = w.sent.length;
    // A cadre's spreadsheet is none of the bot's business.
    sendFile(w.people.east, '活动照片清单.csv', 'a,b');
    expect(await w.settle(from)).toEqual([]);
    sendFile(w.people.admin, '单位名单.csv', '单位名称,上级单位,职工数\n南城街道工会,测试区总工会,3000\n');
    await w.waitForSent(after(w, from, '已收到「单位名单.csv」'));
    // Another command in between does not use the file up.
    from = w.sent.length;
    w.say(w.people.admin, '/help', { atBot: true });
    await w.waitForSent(after(w, from, '我是赛务助手'));
    from = w.sent.length;
    w.say(w.people.admin, '/import', { atBot: true });
    await w.waitForSent(after(w, from, '单位名单已导入'));
    expect(await w.bot.app.db.unit.findFirst({ where: { name: '南城街道工会' } })).toMatchObject({ headcount: 3000 });
  });

  it("files a cadre's filled 计划表 sent privately, and keeps a filer's group file silently for their /import", async () => {
    const { types } = await import('wechaty');
    const { FileBox } = await import('file-box');
    const ExcelJS = (await import('exceljs')).default;
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('计划表');
    ws.addRow(['2027年度东城街道职工劳动竞赛活动计划表']);
    ws.addRow(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排']);
    ws.addRow(['东城建设集团', '快速路五比一创劳动竞赛', '工会与行政联合组织', '100-150人', '全年']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const sendFile = (opts: { roomId?: string; listenerId?: string }) => {
      const id = `file-${Math.random().toString(36).slice(2)}`;
      w.mocker.cacheFileBoxPayload.set(id, FileBox.fromBase64(data.toString('base64'), '东城计划表.xlsx').toJSON());
      w.mocker.MessageMock.create({ id, talkerId: w.people.east.id, ...opts, timestamp: Date.now(), type: types.Message.Attachment, text: '东城计划表.xlsx' } as never);
      w.puppet.emit('message', { messageId: id });
    };
    let from = w.sent.length;
    sendFile({ listenerId: w.botUser.id });
    await w.waitForSent(after(w, from, '已从「东城计划表.xlsx」导入竞赛计划 1 项'));
    const plan = await w.bot.app.db.plan.findFirstOrThrow();
    expect([plan.project, plan.participants, plan.periodText]).toEqual(['快速路五比一创劳动竞赛', 150, '全年']);

    // In the group the file waits, without a word, for the cadre's /import.
    from = w.sent.length;
    sendFile({ roomId: w.room.id });
    expect(await w.settle(from)).toEqual([]);
    w.say(w.people.east, '/import', { atBot: true });
    await w.waitForSent(after(w, from, '内容未变 1 项'));
    expect(await w.bot.app.db.plan.count()).toBe(1);
  });
});
