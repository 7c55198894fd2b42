// /填表 <计划|进度|总结|年报>: one question at a time instead of a template or a form. The
// conversation itself is src/services/guided-filing.ts, a step of the bot's pipeline that takes
// "/填表 …" before commands do; this entry gives the command its place in /help and answers only
// where no conversation is wired (a bot built without one).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';

export default defineCommand({
  name: 'fill',
  aliases: ['填表'],
  usage: '/填表 <计划|进度|总结|年报>',
  summary: '一问一答逐项填写：机器人一项一项地问，回复“确认”才保存',
  access: ['filer'],
  group: 'filing',
  run: async () => [text('逐项填写现在不可用。请直接发送 /计划（或 /进度、/总结、/年报），按表单或模板填写。')],
});
