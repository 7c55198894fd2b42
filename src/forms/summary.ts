import type { FormDef } from './types.js';

export const AWARD_LEVELS = [
  { value: 'none', label: '无', aliases: ['没有', '暂无', '未获奖', '无获奖'] },
  { value: 'district', label: '区级', aliases: ['区', '县级', '区县级', '区（县）级'] },
  { value: 'city', label: '市级', aliases: ['市', '地市级'] },
  { value: 'provincial', label: '省级', aliases: ['省', '省部级'] },
  { value: 'national', label: '全国', aliases: ['国家级', '全国级', '全国性'] },
];

/** 附件二: the summary of one plan (the plan's columns plus expenditure and awards). */
export const summaryForm: FormDef = {
  name: 'summary',
  title: '竞赛总结',
  command: 'summary',
  intro: '每项已备案的竞赛填一张总结；再次填报同一计划会作为修改保存。',
  fields: [
    { key: 'plan', label: '计划编号', aliases: ['竞赛项目', '计划'], type: 'planRef', required: true, example: '12' },
    { key: 'actualParticipants', label: '实际参与人数', aliases: ['参与人数', '参与人数(规模)'], type: 'integer', required: true, min: 0, max: 1_000_000, example: '118' },
    { key: 'expenditure', label: '经费支出', aliases: ['经费支出(元)', '经费'], type: 'money', required: true, min: 0, max: 1_000_000_000, example: '45800', column: { header: '经费支出(元)', width: 14 } },
    { key: 'awardLevel', label: '获奖级别', aliases: ['奖项级别'], type: 'choice', required: true, options: AWARD_LEVELS, example: '市级' },
    { key: 'awardName', label: '获奖情况', aliases: ['奖项', '获奖名称'], type: 'text', required: false, maxLength: 300, example: '市五一劳动奖状', column: { header: '获奖情况', width: 28 } },
  ],
};
