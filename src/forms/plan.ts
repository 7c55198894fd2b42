import type { FormDef } from './types.js';

/** The competition types federations count (附件一's 竞赛类型). */
export const COMPETITION_TYPES = [
  { value: 'wubiyichuang', label: '五比一创', aliases: ['五比一创劳动竞赛', '五比一创竞赛', '“五比一创”', '"五比一创"'] },
  { value: 'ankangbei', label: '安康杯', aliases: ['安康杯竞赛', '安康杯知识竞赛', '安全生产', '安全生产竞赛'] },
  { value: 'skills', label: '技能比武', aliases: ['技能竞赛', '岗位练兵', '职业技能竞赛', '岗位练兵技能比武', '技术比武'] },
  { value: 'wuxiao', label: '五小', aliases: ['五小创新', '五小活动', '五小创新活动', '“五小”', '"五小"', '小发明小创造'] },
  { value: 'energy', label: '节能减排', aliases: ['节能', '节能降耗', '节能减排竞赛'] },
  { value: 'service', label: '优质服务', aliases: ['服务质量', '服务竞赛', '优质服务竞赛'] },
  { value: 'other', label: '其他', aliases: ['其它'] },
];

/** 附件一: one row of a unit's competition plan. */
export const planForm: FormDef = {
  name: 'plan',
  title: '竞赛计划',
  command: 'plan',
  intro: '每项竞赛填一张；同一竞赛项目再次填报会作为修改保存，原内容保留在修改记录里。',
  fields: [
    { key: 'enterpriseName', label: '企业名称', type: 'text', required: true, maxLength: 100, example: '某某建设集团有限公司', column: { header: '企业名称', width: 28 } },
    { key: 'project', label: '竞赛项目', type: 'text', required: true, maxLength: 100, example: '地铁3号线建设“五比一创”劳动竞赛', column: { header: '竞赛项目', width: 32 } },
    { key: 'organizer', label: '组织方式', type: 'text', required: true, maxLength: 200, example: '工会与行政联合组织，按班组开展', column: { header: '组织方式', width: 26 } },
    { key: 'participants', label: '参与人数', aliases: ['参与人数(规模)', '规模', '参赛人数'], type: 'headcount', required: true, min: 1, max: 1_000_000, example: '120', hint: '可写人数范围，例如 100-150人（统计时按上限计）', column: { header: '参与人数(规模)', width: 14 } },
    { key: 'period', label: '时间安排', aliases: ['时间', '起止时间', '竞赛时间'], type: 'daterange', required: true, example: '2027年3月1日至10月31日', hint: '也可写 3月中旬至5月中旬、全年、第二季度、5月份、2027.3-2027.11', column: { header: '时间安排', width: 30 } },
    { key: 'type', label: '竞赛类型', aliases: ['类型'], type: 'choice', required: true, options: COMPETITION_TYPES, example: '五比一创' },
    // Which designated project, named as on the federation's list (/重点项目): what assessment counts.
    { key: 'keyProject', label: '重点项目', aliases: ['是否重点项目', '重点项目名称', '所属重点项目'], type: 'keyProjectRef', required: true, example: '否', hint: '不是重点项目选“否”；是的选（或照名单写）重点项目名称，发送“/重点项目”查看名单' },
    { key: 'distinctParticipants', label: '参与人员与其他竞赛不重复', aliases: ['人员不重复', '参与人员不重复', '与其他竞赛人员不重复'], type: 'boolean', required: false, example: '否', hint: '参与人员与本单位其他竞赛的不是同一批人时填“是”；否则参与率只按人数最多的一项竞赛计' },
    { key: 'budget', label: '经费预算', aliases: ['预算', '经费预算(元)'], type: 'money', required: false, min: 0, max: 1_000_000_000, example: '50000' },
  ],
};
