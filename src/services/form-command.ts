// What /plan, /progress, /summary and /report have in common: check the sender may file, then send
// the form (the adapter renders it as a card, an HTML form or a text template). "/plan 编辑 12" and
// "/summary 编辑 12" (admins) send the filing's form filled in and marked as a correction of plan 12;
// submitting that form revises it on the unit's behalf.
import type { CommandContext } from '../commands/registry.js';
import type { Reply } from '../core/messages.js';
import { text } from '../core/messages.js';
import { formatValue } from '../forms/display.js';
import { toHalfWidth } from '../forms/coerce.js';
import type { FormDef } from '../forms/types.js';
import { currentCampaign } from './current-campaign.js';
import { formReply } from './form-reply.js';
import { planValues, summaryValues } from './filings.js';
import { notRegisteredText } from './members.js';
import { designatedNames, keyProjectOptions } from './key-projects.js';
import { NO_CAMPAIGN } from '../core/wording.js';
import { FILE_COMMANDS } from './reminders.js';

/** A form's 重点项目 choices: the campaign's designated projects (only the plan form asks). */
async function keyProjectChoices(ctx: CommandContext, form: FormDef, campaignId: number): Promise<{ keyProjectOptions?: { value: string; label: string }[] }> {
  if (!form.fields.some((f) => f.type === 'keyProjectRef')) return {};
  return { keyProjectOptions: keyProjectOptions(await designatedNames(ctx.app.db, campaignId)) };
}

export const EDIT_WORDS = ['编辑', '修改', 'edit'];

export async function sendForm(ctx: CommandContext, form: FormDef): Promise<Reply[]> {
  const unit = ctx.member?.unit;
  if (!unit) return [text(await notRegisteredText(ctx.app.db, ctx.msg, ctx.binding, `填报${form.title}`))];
  if (unit.archivedAt) return [text(`您登记的单位「${unit.name}」已被管理员删除（归档），暂时不能填报。如有疑问请联系管理员。`)];
  const campaign = await currentCampaign(ctx);
  if (!campaign) return [text(NO_CAMPAIGN)];
  const needsPlan = form.fields.some((f) => f.type === 'planRef');
  if (!needsPlan) return [formReply(form, await keyProjectChoices(ctx, form, campaign.id))];
  const plans = await ctx.app.db.plan.findMany({ where: { campaignId: campaign.id, unitId: unit.id, withdrawnAt: null }, orderBy: { id: 'asc' }, select: { id: true, project: true } });
  if (!plans.length) return [text(`${unit.name}在${campaign.year}年度还没有备案计划，请先发送“/计划”备案，再填${form.title}。`)];
  return [formReply(form, { planOptions: plans.map((p) => ({ value: String(p.id), label: `#${p.id} ${p.project}` })) })];
}

/** "/plan 编辑 12", "/summary 编辑 12": the filing's form, filled in, for an admin to correct. */
export async function sendEditForm(ctx: CommandContext, form: FormDef & { name: 'plan' | 'summary' }): Promise<Reply[]> {
  const id = Number(toHalfWidth(ctx.args[1] ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0) return [text(`请写计划编号，例如：${FILE_COMMANDS[form.name]} 编辑 12`)];
  const plan = await ctx.app.db.plan.findUnique({ where: { id }, include: { unit: true, summary: true, keyProjectRef: { select: { name: true } } } });
  if (!plan) return [text(`没有编号为 ${id} 的计划。`)];
  if (plan.withdrawnAt) return [text(`计划 #${id} 已撤回，请先发送 /恢复 ${id} 再修改。`)];
  const values = form.name === 'plan' ? planValues(plan) : summaryValues(plan, plan.summary);
  const raw: Record<string, string> = {};
  for (const f of form.fields) if (values[f.key] !== undefined) raw[f.key] = f.type === 'planRef' ? String(id) : formatValue(f, values[f.key]);
  const what = form.name === 'plan' ? `计划 #${id}「${plan.project}」` : `计划 #${id}「${plan.project}」的总结`;
  return [
    text(`代「${plan.unit.name}」修改${what}：改好后提交这张表即可，修改记录会注明由管理员代为修改。`),
    formReply(form, { values: raw, planOptions: [{ value: String(id), label: `#${id} ${plan.project}` }], editPlanId: id, ...(await keyProjectChoices(ctx, form, plan.campaignId)) }),
  ];
}
