// /judge 评委 (admin): who may record competition scores with /score besides admins.
// /judge add @某人, /judge remove @某人, /judge (list).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { actorOf, setJudge } from '../src/services/members.js';
import { mentionedPeople } from '../src/services/mentions.js';

const ADD = ['添加', '设置', 'add'];
const REMOVE = ['移除', '删除', '取消', 'remove'];

export default defineCommand({
  name: 'judge',
  aliases: ['评委'],
  usage: '/评委 [添加 @某人 | 移除 @某人]',
  summary: '设置或移除评委（评委可以用“/打分”打分）',
  access: [],
  subcommands: [{ key: 'add', words: ADD }, { key: 'remove', words: REMOVE }],
  onlySubcommands: true,
  group: 'setup',
  async run(ctx) {
    if (!ctx.sub) {
      const judges = await ctx.app.db.member.findMany({ where: { platform: ctx.msg.platform, judge: true }, orderBy: { id: 'asc' } });
      return [text(judges.length ? `评委（${judges.length}人）：${judges.map((j) => j.name).join('、')}\n添加：/评委 添加 @某人　移除：/评委 移除 @某人` : '还没有评委。管理员可以发送“/评委 添加 @某人”设置评委，评委可以用“/打分”打分。')];
    }
    const add = ctx.sub === 'add';
    const people = mentionedPeople(ctx.msg, add ? '设为评委' : '移除评委');
    if ('refusal' in people) return [text(people.refusal)];
    for (const p of people.list) await setJudge(ctx.app.db, ctx.msg.platform, p.userId, p.userName, add, actorOf(ctx.msg));
    const names = people.list.map((p) => p.userName).join('、');
    return [text(add ? `✅ 已将 ${names} 设为评委，可以用“/打分”打分。` : `✅ 已取消 ${names} 的评委身份。`)];
  },
});
