// The standings as a sheet: rank, unit, score and every part, with the weights used underneath.
import { describeMethod, describeWeights, PART_LABELS, PARTS_OF, STANDINGS_KIND_LABELS, type Standings } from '../standings.js';
import type { ColumnSpec, SheetHeading, SheetModel, SheetRow } from './layout.js';

export function standingsSheet(heading: SheetHeading, s: Standings): SheetModel {
  const columns: ColumnSpec[] = [
    { header: '排名', width: 6 },
    { header: '单位', width: 24 },
    { header: `${STANDINGS_KIND_LABELS[s.kind]}得分`, width: 10 },
    // Score parts say they are points: 竞赛项数 the part and 竞赛项目(项) the count are different columns.
    ...PARTS_OF[s.kind].map((k) => ({ header: `${PART_LABELS[k]}(分)`, width: 10, fixed: true })),
    { header: '竞赛项目(项)', width: 10, fixed: true },
    { header: '参与人数', width: 10, fixed: true },
    { header: '职工数', width: 10, fixed: true },
  ];
  const rows: SheetRow[] = s.rows.map((row) => ({
    kind: 'data',
    cells: [row.rank, row.filed ? row.unitName : `${row.unitName}（未填报）`, row.score, ...PARTS_OF[s.kind].map((k) => row.parts[k] ?? '—'), row.competitions, row.participants, row.headcount],
  }));
  rows.push({ kind: 'note', cells: [null] });
  rows.push({ kind: 'note', cells: [`计分权重：${describeWeights(s.weights)}。同分同名次；未填报的单位列在最后，记0分。`] });
  rows.push({ kind: 'note', cells: ['计分办法：'] });
  for (const line of describeMethod(s.weights)) rows.push({ kind: 'note', cells: [line] });
  return { name: '单位排名', ...heading, columns, rows };
}
