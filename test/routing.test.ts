// When the bot speaks: commands with a slash or addressed to it get an answer (an unknown one gets
// a short help, not silence); ordinary group talk gets nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFilingBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => ({ bot, east } = await startFilingBot()));
afterEach(async () => bot.close());

const say = async (text: string, who: LocalUser = east) => textOf(await bot.say(who, text));

describe('unknown commands', () => {
  it('a slash command that does not exist gets a short help naming the common commands', async () => {
    const reply = await say('/foo');
    expect(reply).toContain('没有“/foo”这个命令');
    expect(reply).toContain('常用命令：/计划 /进度');
    expect(reply).toContain('发送“/帮助”查看全部');
    expect(await say('／不存在')).toContain('没有“/不存在”这个命令');
  });

  it('an addressed message the bot does not understand gets a short help', async () => {
    expect(await say('@赛务助手 今天天气怎么样')).toContain('没看懂这条消息。常用命令');
    expect(await say('@赛务助手')).toContain('常用命令');
  });
});

describe('group talk', () => {
  it('gets no reply, and nothing from the bot appears in the chat', async () => {
    const botMessages = async () => (await bot.transcript(east.chatId)).filter((m) => m.fromBot).length;
    const before = await botMessages();
    for (const text of ['大家好，今天下午三点开会', '计划明天再说', '计划 明天再说', '竞赛计划', '年度报告\n大家月底前记得交', '【竞赛计划】\n请各单位2月底前提交，逾期将通报。', '帮助', '谢谢 @赛务助手']) {
      expect(await bot.say(east, text), text).toEqual([]);
    }
    expect(await botMessages()).toBe(before);
  });

  it('is dropped before anything is written: no event is remembered, no member touched', async () => {
    const db = bot.app.db;
    const events = await db.processedEvent.count();
    const member = await db.member.findFirstOrThrow({ where: { userId: east.userId } });
    for (const text of ['大家好，今天下午三点开会', '计划明天再说', '收到']) await bot.say({ ...east, userName: '改了名字的人' }, text);
    expect(await db.processedEvent.count()).toBe(events);
    expect((await db.member.findFirstOrThrow({ where: { userId: east.userId } })).name).toBe(member.name);
    // A command is remembered (a redelivery is answered once).
    await bot.say(east, '/mine');
    expect(await db.processedEvent.count()).toBe(events + 1);
  });

  it('a person who is not registered chatting gets no reply either', async () => {
    expect(await bot.say({ userId: 'nobody', userName: '群成员', chatId: east.chatId }, '收到')).toEqual([]);
  });
});

describe('/help on a phone', () => {
  it('shows a filer only what they may use, under 500 characters; admins get a pointer to the admin commands', async () => {
    const filer = await say('/help');
    expect(filer.length).toBeLessThan(500);
    expect(filer).toContain('【填报】/计划 /进度 /总结 /年报');
    expect(filer).not.toMatch(/\/单位 |\/提醒|\/假期|管理员命令/);
    for (const group of filer.split('\n')) expect(group.length).toBeLessThan(120);
    const admin = { userId: 'admin', userName: '王主席', chatId: east.chatId };
    expect(await say('/help', admin)).toContain('管理员命令：发送“/帮助 管理”');
    const setup = await say('/帮助 管理', admin);
    expect(setup).toContain('/竞赛 创建|设置');
    expect(setup).toContain('/提醒 设置|开启|关闭');
  });

  it('explains one command with its Chinese subcommands: /帮助 竞赛', async () => {
    const one = await say('/帮助 竞赛');
    expect(one).toContain('/竞赛（也可以写 /campaign）');
    expect(one).toContain('用法：/竞赛 [创建 <年度>');
    expect(one).toContain('设置 计划截止=');
    expect(await say('/帮助 不存在')).toContain('没有“不存在”这个命令');
  });
});

describe('addressing the bot', () => {
  it('"@赛务助手 帮助" without a slash gives the full help', async () => {
    for (const text of ['@赛务助手 帮助', '@赛务助手\u2005帮助', '@赛务助手\u2005/help']) {
      const reply = await say(text);
      expect(reply, text).toContain('我是赛务助手');
      expect(reply, text).toContain('【填报】/计划');
    }
  });

  it('a Chinese command word works without a slash in a private chat', async () => {
    const p2p = { ...east, chatId: 'east-p2p', chatType: 'p2p' as const };
    expect(await say('帮助', p2p)).toContain('我是赛务助手');
    expect(await say('截止', p2p)).toContain('计划备案：2027年2月28日');
  });

  it('the platform\'s own mention flag counts as addressing the bot', async () => {
    expect(textOf(await bot.say(east, '截止', { mentionsBot: true }))).toContain('计划备案');
    expect(await bot.say(east, '截止', { mentionsBot: false })).toEqual([]);
  });

  it('commands are found by name, Chinese alias and either slash, in any letter case', async () => {
    for (const text of ['/deadlines', '/截止', '／截止', '/DEADLINES', '/ deadlines']) {
      expect(await say(text), text).toContain('计划备案：2027年2月28日');
    }
  });
});
