import type { FormDef } from './types.js';

/** A progress update on one filed plan. */
export const progressForm: FormDef = {
  name: 'progress',
  title: '竞赛进度',
  command: 'progress',
  intro: '报告一项已备案竞赛的进展，用计划编号（或完整的竞赛项目名称）指明是哪一项。',
  fields: [
    { key: 'plan', label: '计划编号', aliases: ['竞赛项目', '计划'], type: 'planRef', required: true, example: '12' },
    { key: 'date', label: '日期', aliases: ['活动日期', '时间'], type: 'date', required: true, example: '2027-05-20' },
    { key: 'content', label: '进展情况', aliases: ['活动内容', '进展', '内容'], type: 'longtext', required: true, maxLength: 2000, example: '开展第二阶段技能比武，评出优胜班组3个' },
    { key: 'participants', label: '累计参与人数', aliases: ['参与人数', '参加人数'], type: 'integer', required: false, min: 0, max: 1_000_000, example: '86' },
  ],
};
