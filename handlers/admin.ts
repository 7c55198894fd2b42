// /admin 管理员 (admin): add @某人, list, remove @某人 (never the last admin, never one from ADMINS).
// /admin claim <认领码> (anyone, in a private chat): proves one is an admin with the one-time code the
// server shows (src/services/admin-claims.ts).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { platformDef } from '../src/platforms/index.js';
import { redeemClaimCode } from '../src/services/admin-claims.js';
import { actorOf, isConfiguredAdmin, makeAdmin, removeAdmin } from '../src/services/members.js';
import { mentionedPeople } from '../src/services/mentions.js';

const CLAIM_WORDS = ['认领', 'claim'];
const ADD_WORDS = ['添加', '设置', 'add'];
const REMOVE_WORDS = ['移除', '删除', 'remove'];
const LIST_WORDS = ['查看', '列表', 'list'];

export default defineCommand({
  name: 'admin',
  aliases: ['管理员'],
  usage: '/管理员 添加 @某人 | /管理员 查看 | /管理员 移除 @某人 | /管理员 认领 认领码',
  summary: '设置、查看、移除管理员；用认领码确认自己的管理员身份（私聊机器人）',
  access: [],
  subcommands: [
    { key: 'add', words: ADD_WORDS },
    { key: 'remove', words: REMOVE_WORDS },
    { key: 'list', words: LIST_WORDS },
    { key: 'claim', words: CLAIM_WORDS, access: 'anyone' },
  ],
  onlySubcommands: true,
  group: 'setup',
  async run(ctx) {
    if (ctx.sub === 'claim') {
      const typed = ctx.args.slice(1).join('');
      if (!typed) return [text('请写上认领码，例如：/管理员 认领 12345678（认领码在服务日志或 /wechat 页面上）')];
      const result = await redeemClaimCode(ctx.app.db, { platform: ctx.msg.platform, typed, privateChat: ctx.msg.chatType === 'p2p', actor: actorOf(ctx.msg), now: ctx.app.now() });
      if (result.ok) {
        ctx.app.log.warn({ platform: ctx.msg.platform, userId: ctx.msg.userId, name: ctx.msg.userName }, 'admin claimed with a one-time code');
        return [text(`✅ ${ctx.msg.userName}，您已确认为管理员。发送“/帮助 管理”查看管理命令。`)];
      }
      if (result.reason === 'too-many') return [text('认领码输错的次数太多，请一小时后再试。')];
      if (result.reason === 'posted-in-group') {
        return [text('认领码只能私聊机器人发送，不要发在群里。为安全起见，刚才的认领码如果正确也已作废；请到服务日志或 /wechat 页面查看新的认领码，再私聊机器人发送。')];
      }
      return [text('认领码不对或已失效。请核对服务日志或 /wechat 页面上最新的认领码（8 位数字），再私聊机器人发送。')];
    }
    if (ctx.sub === 'list') {
      const admins = await ctx.app.db.member.findMany({ where: { role: 'admin' }, orderBy: { id: 'asc' } });
      const names = admins.map((a) => `${a.name}${ctx.app.config.admins.some((c) => c.platform === a.platform && c.userId === a.userId) ? '（ADMINS 配置）' : ''}${a.platform === ctx.msg.platform ? '' : `［${platformDef(a.platform)?.chineseName ?? a.platform}］`}`);
      return [text(`管理员（${admins.length}人）：${names.join('、')}\n添加：/管理员 添加 @某人　移除：/管理员 移除 @某人`)];
    }
    if (ctx.sub === 'remove') {
      const people = mentionedPeople(ctx.msg, '移除管理员');
      if ('refusal' in people) return [text(people.refusal)];
      const lines: string[] = [];
      for (const person of people.list) {
        if (isConfiguredAdmin(ctx.app.config, ctx.msg.platform, person.userId)) {
          lines.push(`${person.userName} 是环境变量 ADMINS 配置的管理员，请修改 ADMINS 后重启。`);
          continue;
        }
        const removed = await removeAdmin(ctx.app.db, ctx.msg.platform, person.userId, actorOf(ctx.msg));
        lines.push(removed === 'last' ? `${person.userName} 是最后一位管理员，不能移除。请先设置另一位管理员。` : removed === 'not-admin' ? `${person.userName} 不是管理员。` : `✅ 已移除 ${person.userName} 的管理员身份（联络员登记不受影响）。`);
      }
      return [text(lines.join('\n'))];
    }
    if (ctx.sub !== 'add') return [text('用法：/管理员 添加 @某人；/管理员 查看；/管理员 移除 @某人；/管理员 认领 认领码（私聊机器人）')];
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
