// /keyproject 重点项目: the campaign's designated key projects. Alone (or 名单): the list, those
// without a competition first — the list the federation chases. 添加/删除/恢复/导入 (admins) keep the
// list; a plan's 重点项目 line names one of them, and assessment scores the share covered
// (src/services/key-projects.ts, src/services/standings.ts).
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import type { Campaign, Unit } from '../src/store/models.js';
import { campaignLabel } from '../src/services/campaigns.js';
import { campaignNumberArg, campaignToChange, currentCampaign } from '../src/services/current-campaign.js';
import { scopeOf } from '../src/services/access.js';
import { actorOf } from '../src/services/members.js';
import { addKeyProject, renameKeyProject, describeProject, importKeyProjects, keyProjectsOf, keyProjectTemplate, KEY_PROJECT_COLUMNS, setKeyProjectWithdrawn, type KeyProjectView } from '../src/services/key-projects.js';
import { descendantsOf } from '../src/services/units.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const USAGE = [
  '/重点项目 — 查看名单，哪些还没有竞赛',
  '/重点项目 添加 地铁3号线 单位=东城街道工会 [开工=2027年3月1日]（管理员；名称已有时修改其单位、开工日期）',
  '/重点项目 删除 地铁3号线（管理员；可用“恢复”撤销）',
  '/重点项目 改名 地铁三号线 新名称=地铁3号线（管理员；已填的竞赛随之改名）',
  '/重点项目 导入（管理员；附上名单表格：名称、所在单位、开工日期）',
].join('\n');

type Sub = 'list' | 'add' | 'remove' | 'restore' | 'rename' | 'import';
const SUBS: Record<Sub, readonly string[]> = {
  list: ['名单', '查看', '列表', 'list'],
  add: ['添加', '新增', '增加', '修改', 'add'],
  remove: ['删除', '撤销', '移除', 'remove', 'delete', 'del'],
  restore: ['恢复', 'restore'],
  rename: ['改名', '更名', 'rename'],
  import: ['导入', 'import'],
};
/** Lines per section before the rest is counted instead of listed (a phone screen, not a report). */
const MAX_LISTED = 40;

const optionOf = (ctx: CommandContext, ...keys: string[]) => keys.map((k) => ctx.options[k]).find((v) => v !== undefined);

/** "竞赛：#2 …" when there is more than one campaign, so a list is never taken for another's. */
async function campaignLine(ctx: CommandContext, campaign: Campaign): Promise<string[]> {
  return (await ctx.app.db.campaign.count()) > 1 ? [`竞赛：${campaignLabel(campaign)}`] : [];
}

/**
 * The campaign an admin's change is for, and the unit whose tree it may touch: the group's, or in a
 * private chat the campaign's own unit (a project never lies outside the campaign's tree).
 */
async function target(ctx: CommandContext, args: string[]): Promise<{ campaign: Campaign; root: Unit | null; rest: string[] } | { error: string }> {
  const { id, rest } = campaignNumberArg(args);
  const found = await campaignToChange(ctx, id, '/重点项目 添加 名称 #编号');
  if ('error' in found) return found;
  const owner = found.campaign.unitId === null ? null : await ctx.app.db.unit.findUnique({ where: { id: found.campaign.unitId } });
  return { campaign: found.campaign, root: ctx.binding?.unit ?? owner, rest };
}

async function add(ctx: CommandContext, args: string[]): Promise<Reply[]> {
  const t = await target(ctx, args);
  if ('error' in t) return [text(t.error)];
  const name = t.rest.join(' ');
  const unitName = optionOf(ctx, '单位', '所在单位', 'unit');
  const startDate = optionOf(ctx, '开工', '开工日期', 'start');
  const r = await addKeyProject(ctx.app.db, t.campaign, { name, unitName, startDate }, actorOf(ctx.msg), t.root, ctx.app.now());
  if (!r.ok) return [text(`❗ 没有保存：${r.message}\n用法：${USAGE.split('\n')[1]}`)];
  const shown = describeProject({ name: r.project.name, unitName: r.unitName, startDate: r.project.startDate });
  const head = {
    created: `✅ 已添加重点项目：${shown}`,
    updated: `✅ 已修改重点项目：${shown}（原内容已留存）`,
    restored: `✅ 已恢复重点项目：${shown}`,
    unchanged: `名单上已有：${shown}，内容未变。`,
  }[r.action];
  const lines = [head, ...(await campaignLine(ctx, t.campaign))];
  if (!r.unitName) lines.push('没有写所在单位：算组织单位自己的项目，不计入下属单位的考核。要计入，请加上“单位=所在单位”再发送一次。');
  if (r.action === 'created') lines.push('各单位备案计划时，“重点项目”一项写这个名称即可。');
  return [text(lines.join('\n'))];
}

async function withdrawOrRestore(ctx: CommandContext, args: string[], withdraw: boolean): Promise<Reply[]> {
  const t = await target(ctx, args);
  if ('error' in t) return [text(t.error)];
  const name = t.rest.join(' ');
  if (!name) return [text(`请写重点项目名称，例如：/重点项目 ${withdraw ? '删除' : '恢复'} 地铁3号线`)];
  const r = await setKeyProjectWithdrawn(ctx.app.db, t.campaign, name, withdraw, actorOf(ctx.msg), t.root, ctx.app.now());
  if (!r.ok) return [text(`❗ ${r.message}`)];
  if (!withdraw) return [text(`✅ 已恢复重点项目「${r.project.name}」，重新计入考核。`)];
  const plans = r.competitions ? `已备案的 ${r.competitions} 项竞赛仍保留这个名称，但不再计入重点项目覆盖。` : '';
  return [text(`✅ 已从名单删除重点项目「${r.project.name}」。${plans}\n删错了可以发送“/重点项目 恢复 ${r.project.name}”。`)];
}

async function rename(ctx: CommandContext, args: string[]): Promise<Reply[]> {
  const t = await target(ctx, args);
  if ('error' in t) return [text(t.error)];
  const name = t.rest.join(' ');
  const newName = optionOf(ctx, '新名称', '改为', 'to');
  if (!name || !newName) return [text('请写原名称和新名称，例如：/重点项目 改名 地铁三号线 新名称=地铁3号线')];
  const r = await renameKeyProject(ctx.app.db, t.campaign, name, newName, actorOf(ctx.msg), t.root);
  if (!r.ok) return [text(`❗ 没有改名：${r.message}`)];
  return [text(`✅ 重点项目「${r.before}」已改名为「${r.project.name}」。已填这个项目的竞赛随之改名，仍然计入。`)];
}

/** A key-project list sent as a file, with /重点项目 导入 or (privately) on its own. */
export async function importKeyProjectFile(ctx: CommandContext, file: { fileName: string; data: Buffer }, args: string[] = []): Promise<Reply[]> {
  const t = await target(ctx, args);
  if ('error' in t) return [text(t.error)];
  const r = await importKeyProjects(ctx.app.db, t.campaign, file.fileName, file.data, actorOf(ctx.msg), t.root, ctx.app.now());
  if (!r.ok) {
    const lines = r.errors.length === 1 && !/^第\d+行/.test(r.errors[0])
      ? [`❗ 没有导入：${r.errors[0]}`]
      : [`❗ 重点项目名单没有导入（任何一行有错都不会导入），有 ${r.errors.length} 处需要修改：`, ...r.errors.slice(0, 30).map((e) => `· ${e}`), ...(r.errors.length > 30 ? [`……另有 ${r.errors.length - 30} 处`] : []), '改正后把表格和“/重点项目 导入”一起重新发送。'];
    return [text(lines.join('\n'))];
  }
  ctx.app.log.info({ by: ctx.msg.userId, campaignId: t.campaign.id, created: r.created.length, updated: r.updated.length }, 'key projects imported');
  const list = (names: string[]) => `${names.slice(0, 20).join('、')}${names.length > 20 ? ` 等${names.length}个` : ''}`;
  const lines = [`✅ 重点项目名单已导入：新增${r.created.length}个，修改${r.updated.length}个${r.restored.length ? `，恢复${r.restored.length}个` : ''}，未变${r.unchanged}个。`];
  lines.push(...(await campaignLine(ctx, t.campaign)));
  if (r.created.length) lines.push(`新增：${list(r.created)}`);
  if (r.updated.length) lines.push(`修改所在单位或开工日期：${list(r.updated)}`);
  if (r.restored.length) lines.push(`恢复：${list(r.restored)}`);
  lines.push('发送“/重点项目”查看名单和哪些还没有竞赛。');
  return [text(lines.join('\n'))];
}

async function importCommand(ctx: CommandContext, args: string[]): Promise<Reply[]> {
  const file = ctx.msg.attachment;
  if (file) return importKeyProjectFile(ctx, file, args);
  return [
    text(`请下载下面的模板，按列填写（${KEY_PROJECT_COLUMNS.map((c) => c.header).join('、')}），然后把表格和“/重点项目 导入”一起发回（私聊机器人时直接发送表格即可）。任何一行有错时整份名单都不会导入。`),
    { kind: 'file', fileName: '重点项目名单模板.xlsx', data: await keyProjectTemplate(), caption: '📎 重点项目名单模板' },
  ];
}

async function list(ctx: CommandContext, campaignId: number | null = null): Promise<Reply[]> {
  // "/重点项目 #2": an admin looking at another campaign's list.
  const campaign = campaignId !== null && ctx.isAdmin ? await ctx.app.db.campaign.findUnique({ where: { id: campaignId } }) : await currentCampaign(ctx);
  if (!campaign) return [text(campaignId !== null && ctx.isAdmin ? `没有编号为 #${campaignId} 的竞赛。发送“/竞赛”查看各项竞赛的编号。` : NO_CAMPAIGN)];
  const scope = scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType);
  const all = await keyProjectsOf(ctx.app.db, campaign.id);
  if (!all.length) {
    return [text([
      `${campaign.year}年度还没有公布重点项目名单。没有名单时，考核不计“重点项目”一项，计划里的“重点项目”填“是”或“否”。`,
      ctx.isAdmin ? `管理员可以逐个添加或按表格导入：\n${USAGE.split('\n').slice(1).join('\n')}` : '名单由管理员公布。',
    ].join('\n'))];
  }
  // A group sees the projects lying in its unit's tree (and the organiser's own); a filer asking
  // privately sees the names to fill in, and the competitions only for their own unit's projects.
  const inTree = scope?.kind === 'group' ? new Set([scope.root.id, ...(await descendantsOf(ctx.app.db, scope.root.id)).map((u) => u.id)]) : null;
  const own = scope?.kind === 'own' ? scope.unit.id : null;
  const projects = inTree ? all.filter((k) => k.unitId === null || inTree.has(k.unitId)) : all;
  const detailed = (k: KeyProjectView) => own === null || k.unitId === own;
  const open = projects.filter((k) => detailed(k) && !k.plans.length);
  const covered = projects.filter((k) => detailed(k) && k.plans.length);
  const where = scope?.kind === 'group' ? `「${scope.root.name}」` : '';
  const others = await campaignLine(ctx, campaign);
  const lines = [`📋 ${campaign.year}年度${where}重点项目${projects.length}个${own === null ? `，已有竞赛${covered.length}个` : ''}（计划里“重点项目”一项照名称填写）`, ...others];
  const section = (title: string, items: string[]) => {
    if (!items.length) return;
    lines.push('', title, ...items.slice(0, MAX_LISTED), ...(items.length > MAX_LISTED ? [`……另有${items.length - MAX_LISTED}个，完整名单请发送“/导出”下载表格`] : []));
  };
  section(`❗ 还没有竞赛（${open.length}个）：`, open.map((k) => `· ${describeProject(k)}`));
  section(`✅ 已有竞赛（${covered.length}个）：`, covered.map((k) => {
    // Competitions of units outside what the asker may see are counted, not named.
    const shown = inTree ? k.plans.filter((p) => inTree.has(p.unitId)) : k.plans;
    const named = shown.slice(0, 3).map((p) => `#${p.id} ${p.project}${p.unitId === k.unitId ? '' : `（${p.unitName}）`}`).join('；');
    const more = k.plans.length - Math.min(3, shown.length);
    return `· ${describeProject(k)}：${named || '其他单位备案的竞赛'}${more > 0 && named ? ` 等${k.plans.length}项` : ''}`;
  }));
  if (own !== null) section('名单：', projects.filter((k) => !detailed(k)).map((k) => `· ${describeProject(k)}`));
  // Plans marked 是 without naming a listed project count for no project: the units to ask.
  const unnamed = await ctx.app.db.plan.findMany({
    where: { campaignId: campaign.id, withdrawnAt: null, keyProject: true, keyProjectId: null, ...(own !== null ? { unitId: own } : inTree ? { unitId: { in: [...inTree] } } : {}) },
    orderBy: { id: 'asc' }, take: 11, select: { id: true, project: true, unit: { select: { name: true } } },
  });
  if (unnamed.length) {
    lines.push('', `⚠️ 以下竞赛填了“重点项目：是”，没有写明是名单上的哪一个，不计入覆盖：${unnamed.slice(0, 10).map((p) => `#${p.id} ${p.project}（${p.unit.name}）`).join('；')}${unnamed.length > 10 ? ' 等' : ''}。请重新提交这项计划，把“重点项目”改为名单上的名称。`);
  }
  if (ctx.isAdmin) lines.push('', '管理员：/重点项目 添加|删除|导入（用法：发送“/重点项目 帮助”）');
  return [text(lines.join('\n'))];
}

export default defineCommand({
  name: 'keyproject',
  aliases: ['重点项目', 'keyprojects'],
  usage: '/重点项目 [添加|删除|恢复|改名|导入] …',
  summary: '重点项目名单：哪些还没有竞赛；管理员添加、删除、按表格导入（考核按名单计算重点项目覆盖率）',
  access: ['filer'],
  subcommands: (['add', 'remove', 'restore', 'rename', 'import'] as const).map((k) => ({ key: k, words: [...SUBS[k]], access: [] as const })),
  group: 'setup',
  takesFile: [...SUBS.import],
  async run(ctx): Promise<Reply[]> {
    const word = ctx.args[0]?.toLowerCase() ?? '';
    const sub = (Object.keys(SUBS) as Sub[]).find((k) => SUBS[k].includes(word));
    const rest = ctx.args.slice(1);
    switch (sub) {
      case 'add':
        return add(ctx, rest);
      case 'remove':
        return withdrawOrRestore(ctx, rest, true);
      case 'restore':
        return withdrawOrRestore(ctx, rest, false);
      case 'rename':
        return rename(ctx, rest);
      case 'import':
        return importCommand(ctx, rest);
      case 'list':
        return list(ctx);
    }
    const numbered = campaignNumberArg(ctx.args);
    if (numbered.id !== null && !numbered.rest.length) return list(ctx, numbered.id);
    if (word && !/^(帮助|help|用法)$/.test(word)) return [text(`看不懂“${ctx.args[0]}”。用法：\n${USAGE}`)];
    if (word) return [text(`用法：\n${USAGE}`)];
    return list(ctx);
  },
});
