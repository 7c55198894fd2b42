import type { FormDef } from './types.js';

/** The unit's year-end report. */
export const reportForm: FormDef = {
  name: 'report',
  title: '年度报告',
  command: 'report',
  intro: '每个单位每年一份；再次填报会作为修改保存。',
  fields: [
    { key: 'experiences', label: '主要经验', aliases: ['经验', '主要做法'], type: 'longtext', required: true, maxLength: 5000, example: '以重点工程为依托，班组间比进度比质量……' },
    { key: 'problems', label: '存在问题', aliases: ['问题'], type: 'longtext', required: true, maxLength: 5000, example: '部分企业参与面不广……' },
    { key: 'suggestions', label: '意见建议', aliases: ['建议', '下一步建议'], type: 'longtext', required: true, maxLength: 5000, example: '建议增加对小微企业的经费支持……' },
  ],
};
