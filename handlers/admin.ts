// /admin add @某人 (admin): makes another person an admin. /admin claim <认领码> (anyone, in a private
// chat): proves one is an admin with the one-time code the server shows (src/services/admin-claims.ts).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { redeemClaimCode } from '../src/services/admin-claims.js';
import { actorOf, makeAdmin } from '../src/services/members.js';
import { mentionedPeople } from '../src/services/mentions.js';

const CLAIM_WORDS = ['claim', '认领'];

export default defineCommand({
  name: 'admin',
  aliases: ['管理员'],
  usage: '/admin add @某人 | /admin claim 认领码',
  summary: '设置其他管理员；用认领码确认自己的管理员身份（私聊机器人）',
  access: [],
  subcommands: [{ words: CLAIM_WORDS, access: 'anyone' }],
  group: 'setup',
  async run(ctx) {
    const sub = ctx.args[0]?.toLowerCase() ?? '';
    if (CLAIM_WORDS.includes(sub)) {
      const typed = ctx.args.slice(1).join('');
      if (!typed) return [text('请写上认领码，例如：/admin claim 12345678（认领码在服务日志或 /wechat 页面上）')];
      const result = await redeemClaimCode(ctx.app.db, { platform: ctx.msg.platform, typed, privateChat: ctx.msg.chatType === 'p2p', actor: actorOf(ctx.msg), now: ctx.app.now() });
      if (result.ok) {
        ctx.app.log.warn({ platform: ctx.msg.platform, userId: ctx.msg.userId, name: ctx.msg.userName }, 'admin claimed with a one-time code');
        return [text(`✅ ${ctx.msg.userName}，您已确认为管理员。发送 /help 查看管理命令。`)];
      }
      if (result.reason === 'too-many') return [text('认领码输错的次数太多，请一小时后再试。')];
      if (result.reason === 'posted-in-group') {
        return [text('认领码只能私聊机器人发送，不要发在群里。为安全起见，刚才的认领码如果正确也已作废；请到服务日志或 /wechat 页面查看新的认领码，再私聊机器人发送。')];
      }
      return [text('认领码不对或已失效。请核对服务日志或 /wechat 页面上最新的认领码（8 位数字），再私聊机器人发送。')];
    }
    if (!['add', '添加'].includes(sub)) return [text('用法：/admin add @某人（在消息里@要设为管理员的人）；/admin claim 认领码（私聊机器人）')];
    const people = mentionedPeople(ctx.msg, '设为管理员');
    if ('refusal' in people) return [text(people.refusal)];
    const names: string[] = [];
    for (const person of people.list) {
      await makeAdmin(ctx.app.db, ctx.msg.platform, person.userId, person.userName, actorOf(ctx.msg));
      names.push(person.userName);
    }
    return [text(`✅ 已将 ${names.join('、')} 设为管理员。`)];
  },
});
