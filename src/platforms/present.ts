// The presentation step of the pipeline: replies as the platform can show them. A form on a platform
// without cards (capabilities.forms 'text': WeChat, WeCom), or wherever a card cannot be delivered,
// becomes a guide message — what each line takes, the unit's plans, the campaign's key projects, what
// to fix — and then a clean template to copy, fill in and send back.
import type { FormReply, Reply, TextReply } from '../core/messages.js';
import { renderTableText } from '../core/render-text.js';
import { GUIDED_WORD } from '../services/guided-filing.js';
import type { Capabilities } from './platform.js';
import { FORMS } from '../forms/index.js';
import { FIX_MARK, renderTemplate, renderTemplateGuide } from '../forms/text-template.js';

/** The guide that goes before the template. */
function formGuide(r: FormReply): string {
  const lines = [renderTemplateGuide(FORMS[r.form])];
  const plans = r.fields.find((f) => f.type === 'planRef')?.options;
  if (plans?.length) lines.push(`本单位的计划：${plans.map((o) => o.label).join('；')}（“计划编号”填 # 后面的数字）`);
  // The campaign's key projects, when it lists any (the options are then 否 and their names).
  const keyProjects = (r.fields.find((f) => f.type === 'keyProjectRef')?.options ?? []).filter((o) => o.value !== '是' && o.value !== '否');
  if (keyProjects.length) lines.push(`本年度重点项目：${keyProjects.map((o) => o.label).join('；')}（“重点项目”照此填写，不是填“否”）`);
  // What is wrong stands in the template itself, a ❗ line under each wrong value; here only which.
  const wrong = r.fields.filter((f) => r.errors?.[f.key]);
  if (wrong.length) lines.push(`需要修改：${wrong.map((f) => f.label).join('、')}（见模板里 ${FIX_MARK} 所指的行，${FIX_MARK} 行不用删）`);
  lines.push(`不想复制模板，也可以发送“/填表 ${GUIDED_WORD[r.form]}”，我一项一项地问您。`);
  return lines.join('\n');
}

/**
 * The template itself, filled with the values sent (after a rejection: all of them, the wrong ones
 * too, each wrong one with a ❗ line saying what to fix), marked when it corrects a plan.
 */
function formTemplate(r: FormReply): string {
  return renderTemplate(FORMS[r.form], r.values ?? {}, r.editPlanId, r.errors ?? {});
}

/** A form as text: the guide, then the template as its own message so it can be copied whole. */
export function formAsText(r: FormReply): TextReply[] {
  return [{ kind: 'text', text: formGuide(r) }, { kind: 'text', text: formTemplate(r) }];
}

/** Any reply but a form: what a text-only renderer handles. */
export type TextOnlyReply = Exclude<Reply, FormReply>;

/** Replies with every form turned into text. */
export function withoutForms(replies: Reply[]): TextOnlyReply[] {
  return replies.flatMap((r) => (r.kind === 'form' ? formAsText(r) : [r]));
}

/** Replies as a platform with these capabilities shows them (the pipeline's last step). */
export function present(replies: Reply[], capabilities: Pick<Capabilities, 'forms'>): Reply[] {
  return capabilities.forms === 'text' ? withoutForms(replies) : replies;
}

/** Replies with no card at all: forms as text, tables as text (a client too old for cards). */
export function withoutCards(replies: Reply[]): TextOnlyReply[] {
  return withoutForms(replies).map((r) => (r.kind === 'table' ? { kind: 'text', text: renderTableText(r) } : r));
}
