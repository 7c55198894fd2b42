// Lark messages in and out: @mention placeholders, replies in the thread, duplicate deliveries,
// <at> mentions, tables as cards, Excel as a file message, rate limits (waited out for replies,
// thrown for the reminder queue), idempotent sends, and the bot joining and leaving groups.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../src/core/messages.js';
import { PermanentSendError, RateLimitedError } from '../src/core/send-errors.js';
import { ADMIN, BOT, EAST, LARK_GROUP, WEST, setUpLarkDistrict, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { botAdded, botRemoved, formSubmit, textMessage } from './support/lark-payloads.js';

let t: LarkTestBot;
beforeEach(async () => {
  t = await startLarkBot();
  t.bot.setNow('2027-02-10T10:00:00+08:00');
});
afterEach(async () => t.close());

const sends = () => t.fake.requests.filter((r) => r.method === 'POST' && /\/im\/v1\/messages(\/[^/]+\/reply)?$/.test(r.path));

describe('Lark messages', () => {
  it('resolves @_user_N placeholders to the right people and leaves out the bot', async () => {
    await setUpLarkDistrict(t);
    const payload = textMessage({ from: ADMIN, chatId: LARK_GROUP, text: '@_user_1 /admin add @_user_2', mentions: [BOT, WEST] });
    await t.dispatch(payload);
    const reply = t.fake.messages.find((m) => m.via === 'reply');
    expect(reply?.replyTo).toBe(payload.event.message.message_id);
    expect(reply?.content.text).toMatch(/西城张干事.*管理员/);
    const west = await t.bot.app.db.member.findUnique({ where: { platform_userId: { platform: 'lark', userId: WEST.openId } } });
    expect(west).toMatchObject({ role: 'admin', name: WEST.name });
  });

  it('stays out of group conversation that is not for the bot, and answers in a private chat', async () => {
    await t.say(EAST, '@_user_1 明天开会吗', { mentions: [WEST] });
    expect(t.fake.messages).toEqual([]);
    await t.say(EAST, '你好', { chatType: 'p2p' });
    expect(t.fake.texts().join('\n')).toContain('/帮助');
  });

  it('handles a redelivered message once', async () => {
    await setUpLarkDistrict(t);
    const first = textMessage({ from: EAST, chatId: LARK_GROUP, text: '@_user_1 /mine', mentions: [BOT] });
    // Lark redelivers a late-acknowledged message with a new event id but the same message id.
    const again = textMessage({ from: EAST, chatId: LARK_GROUP, text: '@_user_1 /mine', mentions: [BOT], messageId: first.event.message.message_id });
    await Promise.all([t.dispatch(first), t.dispatch(again)]);
    await t.dispatch(again);
    expect(t.fake.messages.filter((m) => m.via === 'reply')).toHaveLength(1);
  });

  it('reads rich-text (post) messages, with the @mention inside', async () => {
    await setUpLarkDistrict(t);
    const content = JSON.stringify({ title: '', content: [[{ tag: 'at', user_id: '@_user_1', user_name: BOT.name }, { tag: 'text', text: ' /join 西城街道工会 ' }]] });
    await t.dispatch(textMessage({ from: WEST, chatId: LARK_GROUP, text: '', messageType: 'post', content, mentions: [BOT] }));
    expect(t.fake.texts().join('\n')).toContain('已登记为「西城街道工会」的联络员');
  });

  it('files a filled template sent as rich text whose own title comes first', async () => {
    await setUpLarkDistrict(t);
    const line = (x: string) => [{ tag: 'text', text: x }];
    const content = JSON.stringify({ zh_cn: { title: '东城街道计划', content: [
      [{ tag: 'at', user_id: '@_user_1', user_name: BOT.name }],
      line('【竞赛计划】'), line('企业名称：东城供水有限公司'), line('竞赛项目：供水管网安康杯竞赛'), line('组织方式：班组参加'),
      line('参与人数：约150人'), line('时间安排：2027年4月1日至11月30日'), line('竞赛类型：安康杯'), line('重点项目：否'),
    ] } });
    await t.dispatch(textMessage({ from: EAST, chatId: LARK_GROUP, text: '', messageType: 'post', content, mentions: [BOT] }));
    expect(t.fake.texts().join('\n')).toContain('竞赛计划已收到');
    expect((await t.bot.app.db.plan.findFirstOrThrow()).project).toBe('供水管网安康杯竞赛');
  });

  it('drops group talk not meant for it before any lookup or write, even when Lark delivers every group message', async () => {
    await setUpLarkDistrict(t);
    t.fake.grantScope('im:message.group_msg');
    const before = { requests: t.fake.requests.length, events: await t.bot.app.db.processedEvent.count() };
    for (const x of ['大家好，下午三点开会', '收到', '计划明天再说']) await t.dispatch(textMessage({ from: WEST, chatId: LARK_GROUP, text: x }));
    // No contact or chat lookup, no reply, nothing remembered.
    expect(t.fake.requests.length).toBe(before.requests);
    expect(await t.bot.app.db.processedEvent.count()).toBe(before.events);
    // A command without an @mention is still for the bot.
    await t.dispatch(textMessage({ from: WEST, chatId: LARK_GROUP, text: '/help' }));
    expect(t.fake.texts().join('\n')).toContain('我是赛务助手');
  });

  it('keeps one rate-limit budget per private chat, whether it replies or writes anew', async () => {
    const p2p = `oc_p2p_${EAST.openId.slice(-8)}`;
    const asReply = { kind: 'reply' as const, messageId: 'om_x', chatId: p2p, p2pUser: EAST.openId };
    const anew = { kind: 'user' as const, openId: EAST.openId };
    await Promise.all(Array.from({ length: 6 }, (_, i) => t.lark.sender.deliver(i % 2 ? asReply : anew, [text(`第${i + 1}条`)])));
    const times = sends().map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(6);
    // At most 4 a second into one chat (Lark's 5, less one for other bots), counted across both ways:
    // the fifth waits about a second (two keys would have let all six through at once).
    expect(times[4] - times[0]).toBeGreaterThan(900);
  });

  it('acknowledges a message event at once and replies afterwards', async () => {
    await t.lark.dispatcher.invoke(textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help' }), { needCheck: false });
    // The dispatcher has already answered; the reply is still on its way.
    expect(t.fake.messages).toEqual([]);
    await t.lark.idle();
    expect(t.fake.messages).toHaveLength(1);
  });

  it('renders mentions as <at> tags for the right open ids (a /remind roll-call)', async () => {
    await setUpLarkDistrict(t);
    await t.say(ADMIN, '@_user_1 /remind plan', { mentions: [BOT] });
    const said = t.fake.texts().join('\n');
    expect(said).toContain(`<at user_id="${EAST.openId}">${EAST.name}</at>`);
    expect(said).toContain('催交');

    await t.lark.sender.send(LARK_GROUP, [text('请尽快提交。', [{ userId: WEST.openId, userName: WEST.name }, { userId: EAST.openId, userName: EAST.name }])]);
    expect(t.fake.texts().at(-1)).toBe(`<at user_id="${WEST.openId}">${WEST.name}</at> <at user_id="${EAST.openId}">${EAST.name}</at> 请尽快提交。`);
  });

  it('keeps what a cadre typed as text: an <at> tag or a [link](url) in a filing does not ping or link', async () => {
    await setUpLarkDistrict(t);
    const injected = '【竞赛计划】\n企业名称：<at user_id="all">所有人</at>东城建设 & 子公司\n竞赛项目：[领取补贴](http://evil.example/x)\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否';
    await t.say(EAST, `@_user_1 ${injected}`, { mentions: [BOT] });
    const receipt = t.fake.texts().find((s) => s.includes('竞赛计划已收到'))!;
    expect(receipt).toBeDefined();
    // On the wire the tag is escaped text and the link syntax is broken; the stored value is what was typed.
    expect(receipt).not.toContain('<at user_id="all">');
    expect(receipt).toContain('&lt;at user_id="all"&gt;所有人&lt;/at&gt;东城建设 &amp; 子公司');
    expect(receipt).not.toContain('](http');
    expect(receipt).toContain('[领取补贴]\u200B(http://evil.example/x)');
    expect(await t.bot.app.db.plan.findFirstOrThrow()).toMatchObject({ enterpriseName: '<at user_id="all">所有人</at>东城建设 & 子公司', project: '[领取补贴](http://evil.example/x)' });
    // The bot's own mentions are still real tags.
    t.fake.messages.length = 0;
    t.bot.setNow('2027-10-08T10:00:00+08:00'); // within 30 days of the summary deadline: /remind @mentions
    await t.say(ADMIN, '@_user_1 /remind summary', { mentions: [BOT] });
    expect(t.fake.texts().join('\n')).toContain(`<at user_id="${EAST.openId}">${EAST.name}</at>`);
  });

  it('sends a table as a card with a table component', async () => {
    await setUpLarkDistrict(t);
    await t.say(EAST, '@_user_1 /standings', { mentions: [BOT] });
    const card = t.fake.messages.find((m) => m.msgType === 'interactive')?.content;
    expect(card?.schema).toBe('2.0');
    const table = card.body.elements.find((e: any) => e.tag === 'table');
    expect(table.columns.map((c: any) => c.display_name).slice(0, 3)).toEqual(['名次', '单位', '得分']);
    expect(table.rows.map((r: any) => r.c1)).toEqual(expect.arrayContaining([expect.stringContaining('东城街道工会')]));
    // The chart follows as an image message.
    expect(t.fake.messages.some((m) => m.msgType === 'image')).toBe(true);
  });

  it('pages a table card 10 rows at a time, and its 查看全部 button sends the whole table as Excel to the chat', async () => {
    await setUpLarkDistrict(t);
    for (let i = 1; i <= 12; i++) await t.bot.app.db.unit.create({ data: { name: `新区${i}街道工会`, level: 2, parentId: (await t.bot.app.db.unit.findFirstOrThrow({ where: { parentId: null } })).id } });
    await t.say(ADMIN, '@_user_1 /排名', { mentions: [BOT] });
    const card = t.fake.messages.find((m) => m.msgType === 'interactive')?.content;
    const table = card.body.elements.find((e: any) => e.tag === 'table');
    expect(table.rows.length).toBeGreaterThan(10);
    expect(table.page_size).toBe(10);
    const button = card.body.elements.find((e: any) => e.tag === 'button');
    expect(button.text.content).toBe('查看全部（Excel）');
    t.fake.messages.length = 0;
    // Pressed by a filer: the command runs as theirs, in the card's chat.
    const answer = await t.dispatch(formSubmit({ from: EAST, chatId: LARK_GROUP, value: button.behaviors[0].value, formValue: {} }));
    expect(answer.toast.content).toContain('正在生成');
    const upload = t.fake.uploads.find((u) => u.kind === 'file');
    expect(upload?.fields.file_name).toMatch(/排名.*\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(upload!.fields.file.data);
    const cells = book.worksheets[0].getSheetValues().flat().map(String);
    // Every unit, the 13 the card shows beyond its first page included.
    expect(cells.filter((c) => c.endsWith('街道工会（未填报）'))).toHaveLength(14);
    expect(t.fake.messages.find((m) => m.msgType === 'file')?.to).toBe(LARK_GROUP);
    // Someone who files for no unit gets the same refusal as typing the command; nothing is exported.
    t.fake.users.set('ou_0000000000000000000000000000stranger', '路人甲');
    const uploads = t.fake.uploads.length;
    await t.dispatch(formSubmit({ from: { openId: 'ou_0000000000000000000000000000stranger', name: '路人甲' }, chatId: LARK_GROUP, value: button.behaviors[0].value, formValue: {} }));
    expect(t.fake.uploads.length).toBe(uploads);
    expect(t.fake.texts().at(-1)).toContain('/加入');
  });

  it('delivers an Excel export as an uploaded file message', async () => {
    await setUpLarkDistrict(t);
    await t.say(EAST, '@_user_1 /export plan', { mentions: [BOT] });
    const upload = t.fake.uploads.find((u) => u.kind === 'file');
    expect(upload?.fields.file_type).toBe('xls');
    expect(upload?.fields.file_name).toMatch(/\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(upload!.fields.file.data);
    expect(book.worksheets.length).toBeGreaterThan(0);
    const fileMessage = t.fake.messages.find((m) => m.msgType === 'file');
    expect(fileMessage?.content).toEqual({ file_key: upload!.key });
  });

  it('imports a roster spreadsheet an admin sends to the bot in a private chat', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('单位名单');
    sheet.addRow(['单位名称', '上级单位', '职工数', '单位代码']);
    sheet.addRow(['南湖街道工会', '', 3200, '']);
    sheet.addRow(['南湖社区工会', '南湖街道工会', 150, '']);
    t.fake.files.set('file_v3_00b4_roster', Buffer.from(await book.xlsx.writeBuffer()));
    await t.dispatch(textMessage({
      from: ADMIN, chatId: 'oc_p2p_admin', chatType: 'p2p', text: '', messageType: 'file',
      content: JSON.stringify({ file_key: 'file_v3_00b4_roster', file_name: '单位名单.xlsx' }),
    }));
    expect(t.fake.texts().join('\n')).toContain('单位名单已导入：新增2个');
    expect(await t.bot.app.db.unit.count({ where: { name: { in: ['南湖街道工会', '南湖社区工会'] } } })).toBe(2);
  });

  it("files a cadre's filled 计划表 sent to the bot in a private chat", async () => {
    await setUpLarkDistrict(t);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('计划表');
    sheet.addRow(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排']);
    sheet.addRow(['东城建设集团', '快速路安康杯竞赛', '班组对抗', 120, '3月中旬至5月中旬']);
    t.fake.files.set('file_v3_00b4_plans', Buffer.from(await book.xlsx.writeBuffer()));
    await t.dispatch(textMessage({
      from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '', messageType: 'file',
      content: JSON.stringify({ file_key: 'file_v3_00b4_plans', file_name: '计划表.xlsx' }),
    }));
    expect(t.fake.texts().join('\n')).toContain('已从「计划表.xlsx」导入竞赛计划 1 项（填报单位：东城街道工会）');
    expect((await t.bot.app.db.plan.findFirstOrThrow()).type).toBe('ankangbei');
  });

  it('tells a person once, in the private chat, what it cannot read: a picture, a file it cannot fetch', async () => {
    const picture = textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '', messageType: 'image', content: JSON.stringify({ image_key: 'img_v2_0001' }) });
    await t.dispatch(picture);
    await t.dispatch(picture);
    expect(t.fake.texts().filter((x) => x.includes('目前只能识别文字消息和表格文件'))).toHaveLength(1);
    // A picture in a group is people talking to each other.
    await t.dispatch(textMessage({ from: EAST, chatId: LARK_GROUP, text: '', messageType: 'image', content: JSON.stringify({ image_key: 'img_v2_0002' }) }));
    expect(t.fake.texts().filter((x) => x.includes('目前只能识别'))).toHaveLength(1);
    await t.dispatch(textMessage({
      from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '', messageType: 'file',
      content: JSON.stringify({ file_key: 'file_v3_gone', file_name: '计划表.xlsx' }),
    }));
    expect(t.fake.texts().join('\n')).toContain('没能读取文件「计划表.xlsx」，请稍后重新发送');
  });

  it('sends a FileReply with its caption', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('排名').addRow(['单位', '得分']);
    const data = Buffer.from(await book.xlsx.writeBuffer());
    await t.lark.sender.send(LARK_GROUP, [{ kind: 'file', fileName: '排名.xlsx', data, caption: '📎 2027年度排名' }]);
    expect(t.fake.uploads[0].fields.file.size).toBe(data.length);
    expect(t.fake.messages.map((m) => m.msgType)).toEqual(['file', 'text']);
    expect(t.fake.messages[1].content.text).toBe('📎 2027年度排名');
  });
});

describe('Lark rate limits and failures', () => {
  it('waits out a 429 on a reply and resends the same message', async () => {
    t.fake.failNext(1, 'rate-limit-429', 1);
    const started = Date.now();
    await t.say(EAST, '/help', { chatType: 'p2p' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const tries = sends();
    expect(tries).toHaveLength(2);
    expect(tries[1].body.uuid).toBe(tries[0].body.uuid);
    expect(t.fake.messages).toHaveLength(1);
  });

  it('throws RateLimitedError with the platform wait for queued sends (429 and 230020)', async () => {
    t.fake.failNext(1, 'rate-limit-429', 7);
    const err = await t.lark.sender.send(LARK_GROUP, [text('提醒')]).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBe(7000);

    t.fake.failNext(1, 'rate-limit-230020');
    const err2 = await t.lark.sender.send(LARK_GROUP, [text('提醒')]).catch((e) => e);
    expect(err2).toBeInstanceOf(RateLimitedError);
  });

  it('treats HTTP 200 with a non-zero code as an error', async () => {
    t.fake.failNext(1, { status: 200, code: 230002, msg: 'Bot is not in the chat.' });
    const err = await t.lark.sender.send(LARK_GROUP, [text('提醒')]).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err.message).toContain('230002');
  });

  it('gives up on a send Lark never answers, and the retried job posts it once', async () => {
    await t.close();
    t = await startLarkBot({ LARK_HTTP_TIMEOUT_MS: '1000' });
    // Lark takes the message, but its answer never comes back.
    t.fake.unanswered = 1;
    const key = 'reminder:plan:2027:oc_hang:d-3';
    const started = Date.now();
    const err = await t.lark.sender.send(LARK_GROUP, [text('计划备案还有3天截止')], { idempotencyKey: key }).catch((e: Error) => e);
    // A failure the queue retries (not a refusal), after the time limit rather than never.
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect(Date.now() - started).toBeLessThan(5000);
    await t.lark.sender.send(LARK_GROUP, [text('计划备案还有3天截止')], { idempotencyKey: key });
    expect(sends()).toHaveLength(2);
    expect(t.fake.texts().filter((x) => x === '计划备案还有3天截止')).toHaveLength(1);
  });

  it('posts a retried job whose text changed meanwhile, rather than letting Lark drop it as a repeat', async () => {
    // A roll-call rebuilt on the retry after a unit filed: the names left must all reach the group.
    await t.lark.sender.send(LARK_GROUP, [text('未交（3）：东城街道工会、西城街道工会、高新园区工会')], { idempotencyKey: 'reminder:plan:2027:oc_x:d-3' });
    await t.lark.sender.send(LARK_GROUP, [text('未交（2）：东城街道工会、高新园区工会')], { idempotencyKey: 'reminder:plan:2027:oc_x:d-3' });
    expect(t.fake.texts()).toEqual(['未交（3）：东城街道工会、西城街道工会、高新园区工会', '未交（2）：东城街道工会、高新园区工会']);
  });

  it('posts a retried job once: the same idempotency key gives the same uuid', async () => {
    await t.lark.sender.send(LARK_GROUP, [text('提醒一'), text('提醒二')], { idempotencyKey: 'reminder:plan:2027:oc_5ad1:d-3' });
    await t.lark.sender.send(LARK_GROUP, [text('提醒一'), text('提醒二')], { idempotencyKey: 'reminder:plan:2027:oc_5ad1:d-3' });
    const uuids = sends().map((r) => r.body.uuid);
    expect(uuids).toHaveLength(4);
    expect(uuids[2]).toBe(uuids[0]);
    expect(uuids[3]).toBe(uuids[1]);
    expect(uuids[0]).not.toBe(uuids[1]);
    expect(t.fake.messages).toHaveLength(2);
  });

  it('never sends more than 5 messages a second into one chat', async () => {
    const replies = Array.from({ length: 12 }, (_, i) => text(`第${i + 1}条`));
    await t.lark.sender.send(LARK_GROUP, replies);
    const times = sends().map((r) => r.at);
    expect(times).toHaveLength(12);
    // Lark's limit: 5 per second per group. Any six consecutive sends span at least a second.
    for (let i = 5; i < times.length; i++) expect(times[i] - times[i - 5]).toBeGreaterThanOrEqual(1000);
    expect(t.fake.texts()).toEqual(replies.map((r) => r.text));
  });
});

describe('Lark group membership', () => {
  it('greets a group it is added to, once, and forgets the binding when removed', async () => {
    await setUpLarkDistrict(t);
    const added = botAdded({ chatId: 'oc_new_group_0001', name: '东城街道竞赛群', by: ADMIN });
    await t.dispatch(added);
    await t.dispatch(added);
    const greetings = t.fake.messages.filter((m) => m.to === 'oc_new_group_0001');
    expect(greetings).toHaveLength(1);
    expect(greetings[0].content.text).toContain('“/绑定 单位名称”');

    expect(await t.bot.app.db.chatBinding.count({ where: { platform: 'lark', chatId: LARK_GROUP } })).toBe(1);
    await t.dispatch(botRemoved({ chatId: LARK_GROUP, name: '测试区劳动竞赛工作群', by: ADMIN }));
    expect(await t.bot.app.db.chatBinding.count({ where: { platform: 'lark', chatId: LARK_GROUP } })).toBe(0);
  });
});

describe('Lark reminders over time', () => {
  const waitFor = async <T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('re-sends an interrupted reminder only while Lark still drops the repeat, never retries a group the bot left, and /reminders says which group and why', async () => {
    await setUpLarkDistrict(t);
    const db = t.bot.app.db;
    const campaign = await db.campaign.findFirstOrThrow();
    const district = await db.unit.findUniqueOrThrow({ where: { name: '测试区总工会' } });
    const { deliveryKey, reminderRuntime } = await import('../jobs/reminder-queue.js');
    const groups = { recent: 'oc_recent_claim_000000000001', stale: 'oc_stale_claim_0000000000001', gone: 'oc_bot_removed_000000000001' };
    for (const [what, chatId] of Object.entries(groups)) {
      t.fake.addChat(chatId, { kind: 'group', name: `${what}群`, members: [EAST.openId], botIn: what !== 'gone' });
      await db.chatBinding.create({ data: { platform: 'lark', chatId, topic: `${what}群`, unitId: district.id, campaignId: campaign.id, createdBy: 'admin' } });
    }
    // Two sends that died between claiming and confirming: 10 minutes ago (Lark still drops a repeat
    // of the same uuid) and 58 minutes ago (a re-send would land after Lark's hour and post a second copy).
    for (const [chatId, ageMin] of [[groups.recent, 10], [groups.stale, 58]] as const) {
      const key = deliveryKey({ campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage: 'd3', platform: 'lark', chatId });
      await db.reminderDelivery.create({ data: { key, campaignId: campaign.id, form: 'plan', stage: 'd3', platform: 'lark', chatId, status: 'claimed', attempts: 1, createdAt: new Date(Date.now() - ageMin * 60_000) } });
    }

    t.bot.setNow('2027-02-25T09:31:00+08:00');
    await reminderRuntime(t.bot.app)!.reconcileAll();
    // The four Lark groups (the local setup group's reminder goes through its own queue).
    await waitFor(async () => ((await db.reminderDelivery.count({ where: { form: 'plan', platform: 'lark', status: { in: ['sent', 'failed', 'uncertain'] } } })) >= 4 ? true : undefined));
    const status = async (chatId: string) => (await db.reminderDelivery.findFirstOrThrow({ where: { chatId, form: 'plan' } })).status;
    expect(await status(LARK_GROUP)).toBe('sent');
    expect(await status(groups.recent)).toBe('sent');
    expect(await status(groups.stale)).toBe('uncertain');
    expect(await status(groups.gone)).toBe('failed');
    const posted = (chatId: string) => t.fake.messages.filter((m) => m.to === chatId && String(m.content?.text).includes('⏰')).length;
    expect([posted(LARK_GROUP), posted(groups.recent), posted(groups.stale), posted(groups.gone)]).toEqual([1, 1, 0, 0]);
    // 230002 is tried once: a retry cannot put the bot back into the group.
    await new Promise((r) => setTimeout(r, 500));
    expect(t.fake.requests.filter((r) => r.body?.receive_id === groups.gone && String(r.body?.content).includes('⏰'))).toHaveLength(1);

    t.fake.messages.length = 0;
    await t.say(ADMIN, '@_user_1 /reminders', { mentions: [BOT] });
    const said = t.fake.texts().join('\n');
    expect(said).toContain('计划备案 截止前3天 → 飞书「gone群」：发送失败（机器人不在该群中，请把机器人拉回群里）');
    expect(said).toContain('计划备案 截止前3天 → 飞书「stale群」：发送中断（为免重复未重发）\n');
  });

  it('does not retry a private message to someone who blocked the bot (230053)', async () => {
    t.fake.refuseUser(EAST.openId, 230053);
    const err = await t.lark.sender.sendCard({ kind: 'user', openId: EAST.openId }, { schema: '2.0', body: { elements: [{ tag: 'markdown', content: '回执' }] } } as never, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).reason).toContain('屏蔽');
    expect(t.fake.requests.filter((r) => r.body?.receive_id === EAST.openId)).toHaveLength(1);
  });
});
