// 重点项目覆盖表: every designated key project with its unit, start date and the competitions filed
// on it — the projects without one marked 未开展, the list the federation chases — and the coverage in
// the 合计 row, as /重点项目 shows it in the chat.
import { chineseDate } from '../../util/dates.js';
import type { KeyProjectView } from '../key-projects.js';
import type { ColumnSpec, SheetHeading, SheetModel, SheetRow } from './layout.js';

const COLUMNS: ColumnSpec[] = [
  { header: '序号', width: 6, fixed: true },
  { header: '重点项目', width: 26 },
  { header: '所在单位', width: 18 },
  { header: '开工日期', width: 14, fixed: true },
  { header: '竞赛项目(项)', width: 8, fixed: true },
  { header: '竞赛项目（备案单位）', width: 40 },
  { header: '状态', width: 8, fixed: true },
];

export function keyProjectSheet(heading: SheetHeading, projects: KeyProjectView[]): SheetModel {
  const rows: SheetRow[] = projects.map((k, i) => ({
    kind: 'data',
    cells: [
      i + 1, k.name, k.unitName ?? '组织单位直属', k.startDate ? chineseDate(k.startDate) : null, k.plans.length,
      k.plans.map((p) => `#${p.id} ${p.project}（${p.unitName}）`).join('\n') || null,
      k.plans.length ? '已开展' : '未开展',
    ],
  }));
  if (!rows.length) {
    rows.push({ kind: 'note', cells: ['本年度没有公布重点项目名单（/重点项目 添加 或 /重点项目 导入）。没有名单时，考核不计“重点项目”一项。'] });
    return { name: '重点项目', ...heading, columns: COLUMNS, rows };
  }
  const covered = projects.filter((k) => k.plans.length).length;
  rows.push({ kind: 'total', cells: ['合计', `${projects.length}个，已开展${covered}个`, null, null, projects.reduce((n, k) => n + k.plans.length, 0), `覆盖率 ${Math.round((100 * covered) / projects.length)}%`, `未开展${projects.length - covered}个`] });
  rows.push({ kind: 'note', cells: ['说明：计划的“重点项目”一项写明名单上的名称，才算这个项目有竞赛；考核中各单位的重点项目得分 = 其所在重点项目中已开展竞赛的比例 × 权重。'] });
  return { name: '重点项目', ...heading, columns: COLUMNS, rows };
}
