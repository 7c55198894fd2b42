// A form on a platform without cards (WeChat, WeCom): a guide message — what each line takes, the
// unit's plans, the campaign's key projects, what to fix — and then a clean template to copy, fill in
// and send back. Shared by every platform whose capabilities say forms: 'text'.
import type { FormReply } from '../core/messages.js';
import { FORMS } from '../forms/index.js';
import { renderTemplate, renderTemplateGuide } from '../forms/text-template.js';

/** The word people type after /填表 for each form (see services/guided-filing.ts). */
const GUIDED_WORD: Record<string, string> = { plan: '计划', progress: '进度', summary: '总结', report: '年报' };

/** The guide that goes before the template. */
export function formGuide(r: FormReply): string {
  const lines = [renderTemplateGuide(FORMS[r.form])];
  const plans = r.fields.find((f) => f.type === 'planRef')?.options;
  if (plans?.length) lines.push(`本单位的计划：${plans.map((o) => o.label).join('；')}（“计划编号”填 # 后面的数字）`);
  // The campaign's key projects, when it lists any (the options are then 否 and their names).
  const keyProjects = (r.fields.find((f) => f.type === 'keyProjectRef')?.options ?? []).filter((o) => o.value !== '是' && o.value !== '否');
  if (keyProjects.length) lines.push(`本年度重点项目：${keyProjects.map((o) => o.label).join('；')}（“重点项目”照此填写，不是填“否”）`);
  if (r.errors && Object.keys(r.errors).length) {
    lines.push('需要修改：', ...r.fields.filter((f) => r.errors![f.key]).map((f) => `· ${f.label}：${r.errors![f.key]}`));
  }
  lines.push(`不想复制模板，也可以发送“/填表 ${GUIDED_WORD[r.form] ?? r.form}”，我一项一项地问您。`);
  return lines.join('\n');
}

/** The template itself, filled with what was kept (after a rejection), marked when it corrects a plan. */
export function formTemplate(r: FormReply): string {
  return renderTemplate(FORMS[r.form], r.values ?? {}, r.editPlanId);
}
