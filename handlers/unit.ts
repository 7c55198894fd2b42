// /unit 单位 (admin): add, rename, move, set, remove (archive) and restore units; plain /单位 lists
// them like /units. Every change is in the revision log and undone with the opposite subcommand.
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { coerceInteger } from '../src/forms/coerce.js';
import { actorOf } from '../src/services/members.js';
import { addUnit, archiveUnit, checkPhone, findUnitByName, levelName, moveUnit, NO_PARENT, renameUnit, restoreUnit, setUnit, type UnitSettings } from '../src/services/units.js';
import { rebindAfterMove } from '../src/services/campaigns.js';
import units from './units.js';

const SUBS = {
  add: ['添加', '新增', 'add'],
  rename: ['改名', '更名', '重命名', 'rename'],
  move: ['移动', '调整上级', 'move'],
  set: ['设置', '修改', 'set'],
  remove: ['删除', '归档', 'remove'],
  restore: ['恢复', 'restore'],
} as const;
type Sub = keyof typeof SUBS;

const USAGE = [
  '/单位 添加 <名称> [上级=<上级单位>|上级=无] [职工数=<人数>] [编码=…] [联系人=…] [手机号=…]',
  '/单位 改名 <名称> <新名称>',
  '/单位 移动 <名称> 上级=<新上级>',
  '/单位 设置 <名称> 职工数=<人数> [编码=…] [联系人=…] [手机号=…]',
  '/单位 删除 <名称>（删除＝归档，填报和记录都保留） · /单位 恢复 <名称>',
].join('\n');

/** Option names as typed → the setting they change. */
const OPTION_KEYS: Record<string, 'parent' | 'headcount' | 'code' | 'contactName' | 'contactPhone'> = {
  上级: 'parent', 上级单位: 'parent',
  职工数: 'headcount', 人数: 'headcount', 职工人数: 'headcount',
  代码: 'code', 编码: 'code', 单位代码: 'code',
  联系人: 'contactName',
  手机号: 'contactPhone', 手机: 'contactPhone', 电话: 'contactPhone', 联系电话: 'contactPhone',
};

type Read = { settings: UnitSettings; parent?: string | null } | { error: string };

/** Reads 上级=, 职工数=, 编码=, 联系人=, 手机号= into settings, or the first error naming the option. */
function readOptions(ctx: CommandContext, allowed: ('parent' | 'headcount' | 'code' | 'contactName' | 'contactPhone')[]): Read {
  const settings: UnitSettings = {};
  let parent: string | null | undefined;
  for (const [label, raw] of Object.entries(ctx.options)) {
    const key = OPTION_KEYS[label];
    if (!key || !allowed.includes(key)) {
      const names = Object.entries(OPTION_KEYS).filter(([, k]) => allowed.includes(k)).map(([l]) => `${l}=`);
      return { error: `不认识的选项：${label}=。可用的选项：${[...new Set(names)].join('、')}` };
    }
    const value = raw.trim();
    if (key === 'parent') parent = NO_PARENT.includes(value) ? null : value;
    else if (key === 'headcount') {
      // "职工数=" (nothing after it) clears a headcount typed by mistake.
      if (!value) settings.headcount = null;
      else {
        const n = coerceInteger(value, { key: 'headcount', label: '职工数', type: 'integer', required: false, min: 0, max: 10_000_000 });
        if (!n.ok) return { error: `职工数：${n.message}` };
        settings.headcount = n.value;
      }
    } else if (key === 'contactPhone') {
      if (!value) settings.contactPhone = null;
      else {
        const phone = checkPhone(value);
        if (!phone.ok) return { error: phone.message };
        settings.contactPhone = phone.value;
      }
    } else if (key === 'contactName') {
      if ([...value].length > 20) return { error: '联系人：姓名太长，请控制在20字以内' };
      settings.contactName = value || null;
    } else {
      if ([...value].length > 40) return { error: '编码太长，请控制在40个字符以内' };
      settings.code = value || null;
    }
  }
  return parent === undefined ? { settings } : { settings, parent };
}

async function add(ctx: CommandContext, name: string): Promise<Reply[]> {
  const read = readOptions(ctx, ['parent', 'headcount', 'code', 'contactName', 'contactPhone']);
  if ('error' in read) return [text(`${read.error}\n用法：${USAGE.split('\n')[0]}`)];
  let parentName = read.parent;
  let note = '';
  // "Already there" is the answer that matters most, before asking for a parent.
  const same = await findUnitByName(ctx.app.db, name);
  if (same) return [text(same.archivedAt ? `单位「${name}」已存在但已删除（归档）。要恢复它，请发送：/单位 恢复 ${name}` : `单位「${name}」已经存在`)];
  if (parentName === undefined) {
    // Without 上级=: a bound group's unit is the obvious parent; a second top-level unit is almost
    // always a forgotten 上级=, so it must be asked for with 上级=无.
    if (ctx.binding) {
      parentName = ctx.binding.unit.name;
      note = `\n（没有写上级，已放在本群单位「${parentName}」下面；要放到别处请发送 /单位 移动 ${name} 上级=…）`;
    } else if ((await ctx.app.db.unit.count({ where: { parentId: null, archivedAt: null } })) > 0) {
      return [text(`请写上级单位，例如：/单位 添加 ${name} 上级=某某区总工会。如果确实要再建一个顶级单位，请写 上级=无`)];
    } else {
      parentName = null;
    }
  }
  const { headcount, code, contactName, contactPhone } = read.settings;
  const result = await addUnit(ctx.app.db, { name, parentName, headcount: headcount ?? undefined, code: code ?? undefined, contactName: contactName ?? undefined, contactPhone: contactPhone ?? undefined }, actorOf(ctx.msg));
  if (!result.ok) return [text(result.message)];
  const u = result.unit;
  const details = [levelName(u.level), parentName ? `上级：${parentName}` : '顶级单位', u.headcount !== null ? `职工数：${u.headcount}` : ''].filter(Boolean).join('，');
  return [text(`✅ 已添加单位「${u.name}」（${details}）${note}`)];
}

export default defineCommand({
  name: 'unit',
  aliases: ['单位'],
  usage: USAGE,
  summary: '添加、改名、移动、设置、删除（归档）和恢复单位；只发“/单位”则列出单位',
  // Listing is for every filer; every change to units is an admin's.
  access: ['filer'],
  subcommands: (Object.keys(SUBS) as Sub[]).map((key) => ({ key, words: [...SUBS[key]], access: [] as const })),
  onlySubcommands: true,
  group: 'setup',
  async run(ctx) {
    if (!ctx.args.length && !Object.keys(ctx.options).length) return units.run(ctx);
    const sub = ctx.sub as Sub | undefined;
    if (!sub) return [text(`用法：\n${USAGE}`)];
    if (!ctx.isAdmin) return [text('只有管理员可以修改单位。')];
    const [, name, ...rest] = ctx.args;
    if (!name) return [text(`请写单位名称。用法：${USAGE.split('\n').find((l) => l.includes(`/单位 ${SUBS[sub][0]} `)) ?? USAGE}`)];
    if (sub === 'rename' && rest.length !== 1) return [text('用法：/单位 改名 原名称 新名称（名称中不要有空格）')];
    if (sub !== 'rename' && rest.length) return [text(`单位名称中不要有空格。如果名称里有空格，请去掉后再发，例如：/单位 ${SUBS[sub][0]} ${ctx.args.slice(1).join('')}`)];
    const second = rest[0];
    const db = ctx.app.db;
    const actor = actorOf(ctx.msg);
    switch (sub) {
      case 'add':
        return add(ctx, name);
      case 'rename': {
        const r = await renameUnit(db, name, second, actor);
        return [text(r.ok ? `✅ 已把「${name}」改名为「${r.unit.name}」。填报、导出和群绑定都跟着改了；改回请发送 /单位 改名 ${r.unit.name} ${name}` : r.message)];
      }
      case 'move': {
        const read = readOptions(ctx, ['parent']);
        if ('error' in read) return [text(read.error)];
        if (read.parent === undefined) return [text(`请写新的上级，例如：/单位 移动 ${name} 上级=某某区总工会（移到顶级：上级=无）`)];
        const r = await moveUnit(db, name, read.parent, actor);
        if (!r.ok) return [text(r.message)];
        const rebound = await rebindAfterMove(db, r.unit.id);
        const lines = [`✅ 已把「${r.unit.name}」移到「${read.parent ?? '顶级'}」下面（现为${levelName(r.unit.level)}），下属单位一起移动。原上级：${r.note}；移回请发送 /单位 移动 ${r.unit.name} 上级=${r.note}`];
        for (const b of rebound) lines.push(b.to ? `· 工作群「${b.chat}」不再属于「${b.from}」，已改为绑定「${b.to}」（已交的材料留在原竞赛）。` : `· 工作群「${b.chat}」不再属于「${b.from}」，新的上级还没有竞赛，请在该群重新发送“/绑定 单位名称”。`);
        return [text(lines.join('\n'))];
      }
      case 'set': {
        const read = readOptions(ctx, ['headcount', 'code', 'contactName', 'contactPhone']);
        if ('error' in read) return [text(read.error)];
        if (!Object.keys(read.settings).length) return [text(`请写要修改的项目，例如：/单位 设置 ${name} 职工数=5200 联系人=李干事 手机号=13800138000`)];
        const r = await setUnit(db, name, read.settings, actor);
        if (!r.ok) return [text(r.message)];
        const describe = (u: NonNullable<typeof r.before>) => [u.headcount !== null ? `职工数：${u.headcount}` : '', u.code ? `编码：${u.code}` : '', u.contactName ? `联系人：${u.contactName}` : '', u.contactPhone ? `手机号：${u.contactPhone}` : ''].filter(Boolean).join('，') || '（空）';
        return [text(`✅ 已修改「${r.unit.name}」：${describe(r.unit)}\n原为：${describe(r.before!)}`)];
      }
      case 'remove': {
        const r = await archiveUnit(db, name, actor, ctx.app.now());
        return [text(r.ok ? `✅ 已删除（归档）「${r.unit.name}」：它不再出现在未交名单、催交、排名和导出里；填报内容和修改记录都保留。${r.note ?? ''}\n要恢复，请发送 /单位 恢复 ${r.unit.name}` : r.message)];
      }
      case 'restore': {
        const r = await restoreUnit(db, name, actor);
        return [text(r.ok ? `✅ 已恢复「${r.unit.name}」，它重新出现在未交名单、排名和导出里。` : r.message)];
      }
    }
  },
});
