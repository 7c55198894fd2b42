// /admin add @某人 (admin): makes another person an admin.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { makeAdmin } from '../src/services/members.js';

export default defineCommand({
  name: 'admin',
  aliases: ['管理员'],
  usage: '/admin add @某人',
  summary: '设置其他管理员',
  access: 'admin',
  group: 'setup',
  async run(ctx) {
    const sub = ctx.args[0];
    if (!['add', '添加'].includes(sub ?? '')) return [text('用法：/admin add @某人（在消息里@要设为管理员的人）')];
    if (!ctx.msg.mentions.length) return [text('请在命令里@要设为管理员的人，例如：/admin add @张三')];
    const names: string[] = [];
    for (const person of ctx.msg.mentions) {
      await makeAdmin(ctx.app.db, ctx.msg.platform, person.userId, person.userName);
      names.push(person.userName);
    }
    return [text(`✅ 已将 ${names.join('、')} 设为管理员。`)];
  },
});
