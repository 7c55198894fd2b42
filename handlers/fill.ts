// /填表 <计划|进度|总结|年报>: one question at a time instead of a template. The conversation
// itself is src/services/guided-filing.ts, which platforms without cards (WeChat) run in front of
// the bot; this handler only answers where that is not wired, pointing to the form instead.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';

export default defineCommand({
  name: 'fill',
  aliases: ['填表'],
  usage: '/填表 <计划|进度|总结|年报>',
  summary: '一问一答逐项填写（微信群）',
  access: ['filer'],
  group: 'filing',
  run: async () => [text('逐项填写用于微信群。这里请直接发送 /plan（或 /progress、/summary、/report），在弹出的表单里填写。')],
});
