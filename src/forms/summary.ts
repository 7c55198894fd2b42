import type { Award, FormDef } from './types.js';

/**
 * Award levels, highest first (the order decides a competition's highest award). The labels are the
 * ones federations use in 获奖情况; the aliases are what cadres write instead.
 */
export const AWARD_LEVELS = [
  { value: 'national', label: '国家级', aliases: ['全国', '国家', '全国级', '全国性', '国家级别', '部级'] },
  { value: 'provincial', label: '省级', aliases: ['省', '省部级', '省级别'] },
  { value: 'city', label: '市级', aliases: ['市', '地市级', '市局级'] },
  { value: 'district', label: '区县级', aliases: ['区级', '县级', '区', '县', '区（县）级', '区(县)级', '县区级', '区县'] },
  { value: 'street', label: '街道级', aliases: ['街道', '镇级', '乡镇级', '街镇级', '街道（镇）级'] },
  { value: 'enterprise', label: '企业级', aliases: ['企业', '院级', '厂级', '公司级', '集团级', '集团公司级', '单位级'] },
];

/** Whether a word is an award level ("区级", "省部级"), e.g. at the start of a line of 获奖情况. */
export function isAwardLevel(word: string): boolean {
  const w = word.replace(/\s+/g, '');
  return AWARD_LEVELS.some((l) => l.label === w || l.aliases.includes(w));
}

export const levelLabel = (level: string) => AWARD_LEVELS.find((l) => l.value === level)?.label ?? level;

/** The highest level among `awards`, or 'none' (what scoring and counts use). */
export function highestLevel(awards: Award[]): string {
  for (const l of AWARD_LEVELS) if (awards.some((a) => a.level === l.value)) return l.value;
  return 'none';
}

/** A summary's stored awards (JSON text) as a list; anything unreadable is no awards. */
export function parseAwards(json: string | null | undefined): Award[] {
  try {
    const list: unknown = JSON.parse(json ?? '[]');
    if (!Array.isArray(list)) return [];
    return list.filter((a): a is Award => typeof a?.level === 'string').map((a) => ({ level: a.level, name: String(a.name ?? '') }));
  } catch {
    return [];
  }
}

/**
 * "市级 五一劳动奖状；区县级 工人先锋号", or 无: how awards read in receipts, tables and templates. An
 * entry of level none (text filed with 获奖级别 无 before awards had levels) reads as written.
 */
export function awardsText(awards: Award[]): string {
  return awards.length ? awards.map((a) => (a.level === 'none' ? a.name : `${levelLabel(a.level)} ${a.name}`.trim())).join('；') : '无';
}

/** The awards that are awards (a level none entry is an old remark, not an award). */
export const realAwards = (awards: Award[]) => awards.filter((a) => a.level !== 'none');

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
    {
      key: 'awards', label: '获奖情况', aliases: ['获奖', '奖项', '获奖名称', '获奖项目'], type: 'awards', required: true, maxLength: 1000,
      example: '市级 五一劳动奖状；区级 工人先锋号',
      hint: '每项写级别和名称，多项用“；”分开；级别：国家级、省级、市级、区县级、街道级、企业级；没有获奖写“无”',
      prefixLabels: ['获奖级别', '奖项级别'],
      column: { header: '获奖情况', width: 28 },
    },
  ],
};
