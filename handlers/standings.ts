// /standings 排名 [plan|summary|total] [all|企业]: ranks the units under this group's unit (or, with
// all, the units of the deepest level — the enterprises), with the parts of every score and the weights
// used, plus a bar chart image. /standings <单位>: that unit's score part by part, the figures behind
// each part and what would raise it, ranked among the units beside it.
import { defineCommand } from '../src/commands/registry.js';
import { text, type Reply, type TableReply } from '../src/core/messages.js';
import type { Db } from '../src/store/client.js';
import type { Campaign, Unit } from '../src/store/models.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';
import { isWithin } from '../src/services/units.js';
import { bestRaises, explainRow, PART_LABELS, PARTS_OF, rankingLine, STANDINGS_KIND_LABELS, standingsFor, type Standings, type StandingsKind } from '../src/services/standings.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const KIND_WORDS: Record<string, StandingsKind> = {
  plan: 'plan', 计划: 'plan', 备案: 'plan',
  summary: 'summary', 总结: 'summary',
  total: 'total', 综合: 'total', 总分: 'total', 总: 'total',
};
const ALL_WORDS = new Set(['all', '全部', '所有', '企业', '基层']);
/** A chat table longer than this points to the Excel export instead. */
const MAX_TABLE_ROWS = 200;
const USAGE = '/排名 [计划|总结|综合] [全部] 或 /排名 单位名称';

export function standingsTable(s: Standings, title: string): TableReply {
  const parts = PARTS_OF[s.kind];
  const shown = s.rows.length > MAX_TABLE_ROWS ? s.rows.slice(0, 100) : s.rows;
  // Short: on a phone the note sits under every ranking. The weights and the method are one command away.
  const notes = ['同分同名次，未填报的记0分。某单位每项得分和提分办法：/排名 单位名称；计分办法：/权重 说明。'];
  if (shown.length < s.rows.length) notes.push(`共${s.rows.length}个单位，这里列出前${shown.length}名。`);
  // A part left out for a unit (no designated key project, no report asked of it) shows as — in the cells.
  const notApplicable = shown.some((r) => parts.some((k) => r.parts[k] === undefined));
  return {
    kind: 'table',
    title,
    columns: ['名次', '单位', '得分', ...parts.map((k) => PART_LABELS[k])],
    // "—": a part that does not apply to the unit (a year-end report it is not asked for).
    rows: shown.map((r) => [r.rank, r.filed ? r.unitName : `${r.unitName}（未填报）`, r.score, ...parts.map((k) => r.parts[k] ?? '—')]),
    // On a phone, the facts a cadre recognises (总结1/3, 参与率12%) rather than a row of part scores.
    lines: shown.map((r) => rankingLine(r, s.kind, s.weights)),
    note: notes.join('\n'),
    ...(notApplicable ? { cellsNote: '“—”：该项对该单位不适用，其余各项已按比例折算到同样的满分。' } : {}),
    more: { label: '查看全部（Excel）', command: '/导出 排名' },
  };
}

// Charts drawn lately, by what they show: drawing one (resvg) costs more than ranking 20,000 units,
// and the same standings are asked for again and again while nothing is filed.
const charts = new Map<string, Buffer>();
const KEPT_CHARTS = 16;

async function chartOf(title: string, s: Standings): Promise<Buffer> {
  // The chart code (resvg) loads on the first chart, not at start.
  const { DEFAULT_BARS, renderBarChart } = await import('../src/services/chart.js');
  const input = { title: s.rows.length > DEFAULT_BARS ? `${title}（前${DEFAULT_BARS}名）` : title, bars: s.rows.slice(0, DEFAULT_BARS).map((r) => ({ label: r.unitName, value: r.score, rank: r.rank })), unit: '分' };
  const key = JSON.stringify(input);
  let png = charts.get(key);
  if (png) charts.delete(key);
  else png = renderBarChart(input);
  charts.set(key, png);
  if (charts.size > KEPT_CHARTS) charts.delete(charts.keys().next().value!);
  return png;
}

/**
 * The asker's own unit, when it is ranked here: its line and what would raise its score most, so a
 * filer reading the ranking on a phone sees where they stand without finding their row.
 */
function ownLine(s: Standings, unit: Unit | null): Reply[] {
  const row = unit && s.rows.find((r) => r.unitId === unit.id);
  if (!row) return [];
  const raises = bestRaises(row, s.kind, s.weights);
  const line = row.filed ? `第${row.rank}名，${row.score}分` : '还没有填报，记0分';
  return [text(`您的单位「${row.unitName}」：${line}。${raises.length ? `提分：${raises.join('；')}。` : ''}详情：/排名 ${row.unitName}`)];
}

export default defineCommand({
  name: 'standings',
  aliases: ['排名', '排行'],
  usage: USAGE,
  summary: '本群单位下属各单位的考核排名（计划/总结/综合；“全部”排基层企业），附得分构成和图表；加单位名称看该单位每项得分和提分办法',
  access: ['filer'],
  group: 'query',
  async run(ctx): Promise<Reply[]> {
    let kind: StandingsKind = 'total';
    let all = false;
    let named: string | undefined;
    for (const a of ctx.args) {
      const word = a.toLowerCase();
      if (KIND_WORDS[word]) kind = KIND_WORDS[word];
      else if (ALL_WORDS.has(word)) all = true;
      else if (!named) named = a;
      else return [text(`看不懂“${a}”。用法：${USAGE}\n例如：/排名 总结 全部、/排名 东城街道工会`)];
    }
    const scope = scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType);
    const campaign = await currentCampaign(ctx);
    // A filer asking privately may see their own unit's score (not the others' ranking).
    if (named && scope?.kind === 'own') {
      if (!campaign) return [text(NO_CAMPAIGN)];
      return explainUnit(ctx.app.db, campaign, scope.unit, named, kind);
    }
    const root = await reportRoot(ctx.app.db, scope, '排名');
    if ('refusal' in root) return [text(root.refusal)];
    const unit = root.unit;
    if (!campaign) return [text(NO_CAMPAIGN)];
    if (named) return explainUnit(ctx.app.db, campaign, unit, named, kind);
    const s = await standingsFor(ctx.app.db, campaign, unit.id, kind, all ? 'all' : 'children');
    if (!s.rows.length) {
      const hasUnits = await ctx.app.db.unit.count({ where: { parentId: unit.id, archivedAt: null } });
      // Units there may be, but the campaign's scope asks none of them for this form.
      return [text(hasUnits ? `本竞赛的${kind === 'summary' ? '总结' : '计划'}只需组织单位的直属单位提交，「${unit.name}」下面的单位不参加排名。` : `「${unit.name}」下面还没有单位，没有可排名的对象。`)];
    }
    const title = `${campaign.year}年度「${unit.name}」${all ? `基层单位（下${s.level}级）` : '下属单位'}${STANDINGS_KIND_LABELS[kind]}排名`;
    const replies: Reply[] = [standingsTable(s, title)];
    const png = await chartOf(title, s);
    replies.push({ kind: 'image', fileName: `standings-${campaign.year}-${kind}.png`, data: png }, ...ownLine(s, ctx.viewer.unit));
    return replies;
  },
});

/** /standings <单位>: its score part by part among the units beside it (same parent), with what would raise it. */
async function explainUnit(db: Db, campaign: Campaign, root: Unit, name: string, kind: StandingsKind): Promise<Reply[]> {
  const target = await db.unit.findFirst({ where: { name, archivedAt: null } });
  // Outside the asker's tree is as unknown as a name that does not exist.
  // A filer asking privately sees their own unit (the root of what they may see) among its siblings.
  if (!target || target.parentId === null || (target.id !== root.id && !(await isWithin(db, target.id, root.id)))) {
    return [text(`看不懂“${name}”：不是「${root.name}」下属单位的名称，也不是排名的选项。用法：${USAGE}`)];
  }
  const s = await standingsFor(db, campaign, target.parentId, kind, 'children');
  const row = s.rows.find((r) => r.unitId === target.id);
  if (!row) return [text(`本竞赛不要求「${target.name}」提交${kind === 'summary' ? '总结' : '计划'}，它不参加排名。`)];
  const parent = await db.unit.findUnique({ where: { id: target.parentId } });
  const lines = [
    `${campaign.year}年度「${target.name}」${STANDINGS_KIND_LABELS[kind]}得分：${row.score}分，在「${parent?.name ?? ''}」下属${s.rows.length}个单位中排第${row.rank}名${row.filed ? '' : '（未填报）'}。`,
    ...explainRow(row, kind, s.weights),
    '计分办法：发送“/权重 说明”。',
  ];
  return [text(lines.join('\n'))];
}

