// Every subcommand can be typed in Chinese, and a word that is no subcommand is refused with the list —
// never quietly taken as "show" (which is how "/竞赛 设置 总结截止=…" used to leave the deadline alone).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommands } from '../handlers/index.js';
import { commandWord } from '../src/commands/registry.js';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

const HAN = /[\u4e00-\u9fa5]/;
const commands = createCommands();
const withSubs = commands.all.filter((c) => c.subcommands?.length);
const chineseName = (name: string) => commandWord(commands.find(name)!);

let bot: TestBot;
let admin: LocalUser;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-01-10T10:00:00+08:00');
  ({ admin } = await setUpDistrict(bot));
});
afterEach(async () => bot.close());

const say = async (text: string) => textOf(await bot.say(admin, text));

describe('subcommands', () => {
  it('each has a Chinese word, shown first, beside any English one', () => {
    const missing = withSubs.flatMap((c) => c.subcommands!.filter((s) => !HAN.test(s.words[0])).map((s) => `/${c.name} ${s.words.join('|')}`));
    expect(missing).toEqual([]);
    expect(withSubs.map((c) => c.name).sort()).toEqual(expect.arrayContaining(['admin', 'board', 'campaign', 'holiday', 'judge', 'keyproject', 'reminders', 'unit', 'weights']));
  });

  it('every word of every subcommand reaches the handler, in Chinese as in English', async () => {
    for (const spec of withSubs) {
      for (const sub of spec.subcommands!) {
        for (const word of sub.words) {
          const reply = await say(`/${chineseName(spec.name)} ${word}`);
          expect(reply, `/${chineseName(spec.name)} ${word}`).not.toContain('不认识');
          expect(reply, `/${chineseName(spec.name)} ${word}`).not.toMatch(/^没有“\//);
        }
      }
    }
  });

  it('refuses a word that is no subcommand, naming the ones there are', async () => {
    for (const [command, word] of [['竞赛', '设定'], ['提醒', '修正'], ['假期', '加'], ['单位', '改'], ['权重', '调整'], ['评委', '加入']] as const) {
      const reply = await say(`/${command} ${word} 总结截止=2027-10-20`);
      expect(reply, command).toContain(`不认识“${word}”`);
      expect(reply, command).toMatch(/后面可以跟：\S+、/);
    }
    // Nothing changed on the way.
    expect((await bot.app.db.campaign.findFirstOrThrow()).summaryDeadline).not.toBe('2027-10-20');
  });

  it('does what the Chinese words say: /竞赛 设置, /提醒 设置|关闭|开启, /假期 添加, /单位 改名', async () => {
    expect(await say('/竞赛 设置 总结截止=2027-10-20')).toContain('✅');
    expect(textOf(await bot.say(admin, '/竞赛'))).toContain('2027年10月20日');
    expect(await say('/提醒 设置 时间=10:00')).toContain('✅ 已修改催交提醒');
    expect(await say('/提醒 关闭')).toContain('✅ 催交提醒已关闭');
    expect(await say('/提醒 开启')).toContain('✅ 催交提醒已开启');
    expect(await say('/假期 添加 3月2日 名称=调整')).toContain('✅');
    expect(await say('/单位 改名 东城街道工会 东城街道总工会')).toContain('✅ 已把「东城街道工会」改名为「东城街道总工会」');
    expect(await say('/评委 添加')).not.toContain('用法');
  });
});
