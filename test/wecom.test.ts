// WeCom's official bot end to end: the real @wecom/aibot-node-sdk connects to a local fake server
// that speaks its frames (test/support/fake-wecom.ts); what we assert is what the bot sent back over
// the socket and what ended up in the database. WeCom is one folder (src/platforms/wecom/) and one line
// in src/platforms/index.ts; everything else is the bot's pipeline, as on every platform.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, textOf, type TestBot } from './support/harness.js';
import { startFakeWecom, WECOM_BOT_ID, WECOM_BOT_NAME, WECOM_SECRET, type FakeWecom } from './support/fake-wecom.js';
import { renderForWecom, type WecomAdapter } from '../src/platforms/wecom/wecom-adapter.js';
import { text } from '../src/core/messages.js';
import { reminderRuntime } from '../jobs/reminder-queue.js';
import { until as waitFor } from './support/wait.js';

let fake: FakeWecom;
let bot: TestBot;
let adapter: WecomAdapter;
const GROUP = 'wrkSFfCgAAxxxx-group';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(async () => {
  fake = await startFakeWecom();
  bot = await startTestBot(
    { WECOM_BOT_ID, WECOM_BOT_SECRET: WECOM_SECRET, WECOM_WS_URL: fake.url, LOCAL_CHAT: 'on', ADMINS: 'local:admin,wecom:wangzhuxi' },
    { platformOptions: { wecom: { reconnectInterval: 50, heartbeatInterval: 300 } } },
  );
  adapter = bot.adapter<WecomAdapter>('wecom')!;
  await until(() => fake.authenticated > 0);
});

afterEach(async () => {
  await bot.close();
  await fake.close();
});

/** A person's message, in the group (starting with "@赛务助手", as WeCom delivers it) or in single chat; the texts replied. */
async function say(userid: string, content: string, where: 'group' | 'single' = 'group'): Promise<string> {
  const reqId = fake.message({
    msgid: `msg-${Math.random().toString(36).slice(2)}`, chattype: where, ...(where === 'group' ? { chatid: GROUP } : {}),
    from: { userid }, msgtype: 'text', text: { content: where === 'group' ? `@${WECOM_BOT_NAME} ${content}` : content },
  });
  await until(() => fake.repliesTo(reqId).length > 0);
  await adapter.idle();
  return fake.textsOf(reqId).join('\n');
}

async function setUpDistrict(): Promise<void> {
  const admin = { userId: 'admin', userName: '王主席', chatId: 'setup' };
  for (const step of ['/unit add 测试区总工会 职工数=20000', '/unit add 东城街道工会 上级=测试区总工会 职工数=5000', '/campaign add 2027']) {
    expect(textOf(await bot.say(admin, step))).toContain('✅');
  }
  expect(await say('wangzhuxi', '/bind 测试区总工会 2027')).toContain('✅ 本群已绑定');
  expect(await say('lixiaoming', '/join 东城街道工会')).toContain('已登记');
}

describe('WeCom 智能机器人', () => {
  it('authenticates with the Bot ID and secret, and answers a group command on the same frame', async () => {
    const auth = fake.frames.find((f) => f.cmd === 'aibot_subscribe');
    expect(auth?.body).toEqual({ bot_id: WECOM_BOT_ID, secret: WECOM_SECRET });
    const help = await say('lixiaoming', '/help');
    expect(help).toContain('我是赛务助手');
    // Markdown, never msgtype text (the server refuses text replies).
    expect(fake.frames.filter((f) => f.cmd === 'aibot_respond_msg').every((f) => f.body?.msgtype === 'markdown')).toBe(true);
  });

  it('files a plan from the text template, and handles a redelivered message once', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    await setUpDistrict();
    const form = await say('lixiaoming', '/plan');
    expect(form).toContain('请复制下一条消息');
    expect(form).toContain('【竞赛计划】\n企业名称：');
    const template = '【竞赛计划】\n企业名称：东城建设集团有限公司\n竞赛项目：#1标段“五比一创”劳动竞赛\n组织方式：工会与项目部联合组织\n参与人数：约120人\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：否';
    const body = { msgid: 'msg-plan-1', chattype: 'group', chatid: GROUP, from: { userid: 'lixiaoming' }, msgtype: 'text', text: { content: `@${WECOM_BOT_NAME} ${template}` } };
    const first = fake.message(body);
    await until(() => fake.repliesTo(first).length > 0);
    await adapter.idle();
    const receipt = fake.textsOf(first).join('\n');
    expect(receipt).toContain('✅ 竞赛计划已收到');
    // A # would start a markdown heading: it is kept as text.
    expect(receipt).toContain('「#1标段“五比一创”劳动竞赛」');
    const plan = await bot.app.db.plan.findFirstOrThrow({ include: { unit: true } });
    expect([plan.unit.name, plan.participants, plan.filedBy]).toEqual(['东城街道工会', 120, 'lixiaoming']);
    // WeCom may deliver a callback twice: the second copy files nothing and says nothing.
    const again = fake.message(body);
    await new Promise((r) => setTimeout(r, 300));
    await adapter.idle();
    expect(fake.repliesTo(again)).toEqual([]);
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(1);
  });

  it('runs guided filing in single chat, one question at a time', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    await setUpDistrict();
    expect(await say('lixiaoming', '/填表 年报', 'single')).toContain('（第 1/3 项）请回复「主要经验」');
    expect(await say('lixiaoming', '以赛促学', 'single')).toContain('「存在问题」');
    expect(await say('lixiaoming', '参与面不广', 'single')).toContain('「意见建议」');
    expect(await say('lixiaoming', '加大奖励', 'single')).toContain('请核对【年度报告】');
    expect(await say('lixiaoming', '确认', 'single')).toContain('年度报告已收到');
    expect((await bot.app.db.yearReport.findFirstOrThrow()).experiences).toBe('以赛促学');
  });

  it('takes a filled 计划表 sent as a file in single chat (downloaded and decrypted), and sends an export as a file', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    await setUpDistrict();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('计划表');
    ws.addRow(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排']);
    ws.addRow(['东城供水有限公司', '供水管网安康杯竞赛', '班组参加', 150, '2027年4月1日至9月30日']);
    const { url, aeskey } = fake.serveFile('东城计划表.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    const reqId = fake.message({ msgid: 'msg-file-1', chattype: 'single', from: { userid: 'lixiaoming' }, msgtype: 'file', file: { url, aeskey } });
    await until(() => fake.repliesTo(reqId).length > 0);
    await adapter.idle();
    expect(fake.textsOf(reqId).join('\n')).toContain('✅ 已从「东城计划表.xlsx」导入竞赛计划 1 项');
    expect(await bot.app.db.plan.count()).toBe(1);

    const exportReq = fake.message({ msgid: 'msg-export-1', chattype: 'group', chatid: GROUP, from: { userid: 'wangzhuxi' }, msgtype: 'text', text: { content: `@${WECOM_BOT_NAME} /export 计划` } });
    await until(() => fake.repliesTo(exportReq).some((f) => f.body?.msgtype === 'file'));
    const fileReply = fake.repliesTo(exportReq).find((f) => f.body?.msgtype === 'file')!;
    const uploaded = fake.media.get(fileReply.body!.file.media_id)!;
    expect(uploaded.filename).toBe('2027年度测试区职工劳动竞赛活动计划表.xlsx');
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(uploaded.data as unknown as ArrayBuffer);
    expect(back.worksheets[0].getCell('A1').value).toBe('2027年度测试区职工劳动竞赛活动计划表');
  });

  it('tells the sender once when it cannot read what they sent: a picture, a file that cannot be fetched', async () => {
    const picture = { msgid: 'msg-pic-1', chattype: 'single', from: { userid: 'lixiaoming' }, msgtype: 'image', image: { url: 'https://example.invalid/x.jpg', aeskey: 'k' } };
    const first = fake.message(picture);
    await until(() => fake.repliesTo(first).length > 0);
    await adapter.idle();
    expect(fake.textsOf(first).join('\n')).toContain('目前只能识别文字消息和表格文件');
    const again = fake.message(picture);
    await new Promise((r) => setTimeout(r, 300));
    await adapter.idle();
    expect(fake.repliesTo(again)).toEqual([]);

    const gone = fake.message({ msgid: 'msg-file-gone', chattype: 'single', from: { userid: 'lixiaoming' }, msgtype: 'file', file: { url: fake.serveFile('x.xlsx', Buffer.from('x')).url.replace(/\/f\/.*/, '/f/missing'), aeskey: 'k' } });
    await until(() => fake.repliesTo(gone).length > 0);
    await adapter.idle();
    expect(fake.textsOf(gone).join('\n')).toContain('没能读取文件，请稍后重新发送');
    expect(await bot.app.db.plan.count()).toBe(0);
  });

  it('pushes reminders with sendMessage to a chat that has talked to the bot, and says when WeCom refuses', async () => {
    await setUpDistrict();
    await bot.app.senders.get('wecom')!.send(GROUP, [text('请尽快提交竞赛计划。', [{ userId: 'lixiaoming', userName: 'lixiaoming' }])]);
    const push = fake.pushes().at(-1)!;
    expect(push.body).toMatchObject({ chatid: GROUP, msgtype: 'markdown', markdown: { content: '@lixiaoming 请尽快提交竞赛计划。' } });
    // A chat that never talked to the bot: WeCom refuses; the error carries its answer, and the reminder
    // queue retries with backoff (WeCom documents no codes that would mean "never" or "slow down").
    const err = await bot.app.senders.get('wecom')!.send('some-other-group', [text('提醒')]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('WeCom refused the message: 93006');
  });

  it('retries a long reminder whose later part WeCom refused without posting its first part again', async () => {
    await setUpDistrict();
    const db = bot.app.db;
    const district = await db.unit.findUniqueOrThrow({ where: { name: '测试区总工会' } });
    // Enough units that have not filed for the roll-call to take several WeCom messages.
    await db.unit.createMany({ data: Array.from({ length: 500 }, (_, i) => ({ name: `第${i + 1}号测试企业有限责任公司工会委员会`, level: district.level + 1, parentId: district.id })) });
    // WeCom takes the roll-call's first part and refuses its second (it documents no idempotency key).
    fake.failNext('aibot_send_msg', 45009, 'api freq out of limit', (body) => String(body.markdown?.content).startsWith('未交'));
    bot.setNow('2027-02-25T09:31:00+08:00'); // the 3-days-before stage of the plan deadline
    await reminderRuntime(bot.app)!.reconcileAll();
    const delivery = () => db.reminderDelivery.findFirst({ where: { chatId: GROUP, form: 'plan' } });
    await waitFor(async () => ((await delivery())?.status === 'retry' ? true : undefined));
    // The retry, without waiting out its backoff.
    for (const job of await bot.reminders.queues.send('wecom').getJobs(['delayed'])) await job.promote();
    await waitFor(async () => ((await delivery())?.status === 'sent' ? true : undefined), 15_000);
    const pushed = fake.pushes().filter((f) => f.body?.chatid === GROUP).map((f) => String(f.body?.markdown?.content)).filter((p) => !p.includes('放假安排'));
    const parts = [...new Set(pushed)];
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0]).toContain('催交提醒');
    // The first part was not posted again; the refused one was, and every part reached the group.
    expect(pushed.filter((p) => p === parts[0])).toHaveLength(1);
    expect(pushed.filter((p) => p === parts[1])).toHaveLength(2);
    expect(pushed).toHaveLength(parts.length + 1);
    // A long list is cut between two names, never inside one.
    for (const part of parts.slice(1)) expect(part).toMatch(/^(未交（\d+）：|尚未登记联络员：)?(第\d+号|东城)/);
  });

  it('splits a long table into code blocks under the 20,480-byte limit, and keeps a line starting with # as text', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [i + 1, `第${i + 1}个街道总工会下属企业联合工会委员会`, 88.5]);
    const out = renderForWecom([{ kind: 'table', title: '2027年度排名', columns: ['名次', '单位', '得分'], rows }]);
    expect(out.length).toBeGreaterThan(1);
    for (const o of out) {
      expect(o.kind).toBe('markdown');
      const content = (o as { content: string }).content;
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(20_480);
      expect(content).toMatch(/```\n[\s\S]+\n```$/);
    }
    expect(out.map((o) => (o as { content: string }).content).join('\n')).toContain('第400个街道');
    expect((renderForWecom([text('#12 快速路劳动竞赛')])[0] as { content: string }).content).toBe('\u200B#12 快速路劳动竞赛');
  });

  it('names other platforms\' admins by the platform\'s Chinese name', async () => {
    await setUpDistrict();
    const list = textOf(await bot.say({ userId: 'admin', userName: '王主席', chatId: 'setup' }, '/admin list'));
    expect(list).toContain('wangzhuxi（ADMINS 配置）［企业微信］');
  });

  it('answers a bare @mention with help, and says it cannot tell who else was @mentioned', async () => {
    expect(await say('lixiaoming', '')).toContain('/帮助');
    const admins = await bot.app.db.member.count({ where: { role: 'admin' } });
    expect(await say('wangzhuxi', '/admin add @张三')).toContain('这里收不到被@的人是谁，没有');
    expect(await bot.app.db.member.count({ where: { role: 'admin' } })).toBe(admins);
  });

  it('welcomes a person who opens the single chat, within the welcome reply WeCom allows', async () => {
    const reqId = fake.event({ msgid: 'ev-1', create_time: 1700000000, from: { userid: 'lixiaoming' }, event: { eventtype: 'enter_chat' } });
    await until(() => fake.frames.some((f) => f.cmd === 'aibot_respond_welcome_msg' && f.headers.req_id === reqId));
    const welcome = fake.frames.find((f) => f.cmd === 'aibot_respond_welcome_msg')!;
    expect(welcome.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('发送“/帮助”查看可用的命令') } });
  });

  it('comes back by itself when the connection drops, and answers again', async () => {
    const before = fake.authenticated;
    fake.drop();
    await until(() => fake.authenticated > before);
    expect(await say('lixiaoming', '/help')).toContain('我是赛务助手');
  });

  it('keeps the secret out of the log and refuses to start half-configured', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(() => loadConfig({ WECOM_BOT_ID: 'x' })).toThrow('WECOM_BOT_ID and WECOM_BOT_SECRET must be set together');
    expect(() => loadConfig({ WECOM_BOT_ID: 'x', WECOM_BOT_SECRET: 'y', SAIWU_NOW: '2027-03-01' })).toThrow('WeCom');
    const { secretsOf } = await import('../src/config.js');
    expect(secretsOf(bot.config)).toContain(WECOM_SECRET);
  });
});
