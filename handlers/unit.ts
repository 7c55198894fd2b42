// /unit add <名称> [上级=<上级单位>] [职工数=<人数>] [代码=…] (admin); plain /单位 lists the units like /units.
import { defineCommand } from '../src/commands/registry.js';
import { adminOnlyText } from '../src/services/access.js';
import units from './units.js';
import { text } from '../src/core/messages.js';
import { coerceInteger } from '../src/forms/coerce.js';
import { addUnit, LEVEL_NAMES } from '../src/services/units.js';

const USAGE = '/unit add <名称> [上级=<上级单位>] [职工数=<人数>]';
const KNOWN_OPTIONS = ['上级', '职工数', '人数', '代码'];

export default defineCommand({
  name: 'unit',
  aliases: ['单位'],
  usage: USAGE,
  summary: '添加单位（名称中不要有空格）；只发“/单位”则列出单位',
  // Listing is for everyone; adding is checked below.
  access: ['filer'],
  subcommands: [{ words: ['add', '添加', '新增'], access: [] }],
  group: 'setup',
  async run(ctx) {
    if (!ctx.args.length && !Object.keys(ctx.options).length) return units.run(ctx);
    // Listing is for every filer; every change to units is an admin's.
    if (!ctx.isAdmin) return [text(adminOnlyText('/unit add'))];
    const [sub, name] = ctx.args;
    if (!['add', '添加', '新增'].includes(sub ?? '') || !name) return [text(`用法：${USAGE}\n例如：/unit add 东城街道工会 上级=某某区总工会 职工数=1200`)];
    if (ctx.args.length > 2) return [text(`单位名称中不要有空格。如果名称里有空格，请去掉后再发，例如：/unit add ${ctx.args.slice(1).join('')}`)];
    // A mistyped 上级= would otherwise add the unit at the top level without a word.
    const unknown = Object.keys(ctx.options).filter((k) => !KNOWN_OPTIONS.includes(k));
    if (unknown.length) return [text(`不认识的选项：${unknown.map((k) => `${k}=`).join('、')}。可用的选项：上级=、职工数=、代码=\n用法：${USAGE}`)];
    let headcount: number | undefined;
    const rawHeadcount = ctx.options['职工数'] ?? ctx.options['人数'];
    if (rawHeadcount !== undefined) {
      const n = coerceInteger(rawHeadcount, { key: 'headcount', label: '职工数', type: 'integer', required: false, min: 0, max: 10_000_000 });
      if (!n.ok) return [text(`职工数：${n.message}`)];
      headcount = n.value;
    }
    const result = await addUnit(ctx.app.db, { name, parentName: ctx.options['上级'], headcount, code: ctx.options['代码'] });
    if (!result.ok) return [text(result.message)];
    const u = result.unit;
    return [text(`✅ 已添加单位「${u.name}」（${LEVEL_NAMES[u.level] ?? `第${u.level}级`}${ctx.options['上级'] ? `，上级：${ctx.options['上级']}` : ''}${u.headcount !== null ? `，职工数：${u.headcount}` : ''}）`)];
  },
});
