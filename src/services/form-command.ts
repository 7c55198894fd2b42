// What /plan, /progress, /summary and /report have in common: check the sender may file, then send
// the form (the adapter renders it as a card, an HTML form or a text template). "/plan 编辑 12" and
// "/summary 编辑 12" (admins) send the filing's form filled in; the admin's next submission of that
// form in this chat revises it on the unit's behalf.
import type { CommandContext } from '../commands/registry.js';
import type { Reply } from '../core/messages.js';
import { text } from '../core/messages.js';
import { formatValue } from '../forms/display.js';
import { toHalfWidth } from '../forms/coerce.js';
import type { FormDef } from '../forms/types.js';
import { currentCampaign } from './current-campaign.js';
import { formReply } from './form-reply.js';
import { EDIT_TTL_MS, planValues, summaryValues, type PendingEdit } from './filings.js';
import { notRegisteredText } from './members.js';
import { clearPending, setPending } from './pending.js';

export const EDIT_WORDS = ['编辑', '修改', 'edit'];

export async function sendForm(ctx: CommandContext, form: FormDef): Promise<Reply[]> {
  // Asking for a fresh form ends an admin's pending edit of this kind in this chat.
  if (ctx.isAdmin) await clearPending(ctx.app.db, 'edit', ctx.msg);
  const unit = ctx.member?.unit;
  if (!unit) return [text(await notRegisteredText(ctx.app.db, ctx.msg, ctx.binding, `填报${form.title}`))];
  const campaign = await currentCampaign(ctx);
  if (!campaign) return [text('还没有创建竞赛年度，请管理员先发送“/campaign add 年度”。')];
  const needsPlan = form.fields.some((f) => f.type === 'planRef');
  if (!needsPlan) return [formReply(form)];
  const plans = await ctx.app.db.plan.findMany({ where: { campaignId: campaign.id, unitId: unit.id, withdrawnAt: null }, orderBy: { id: 'asc' }, select: { id: true, project: true } });
  if (!plans.length) return [text(`${unit.name}在${campaign.year}年度还没有备案计划，请先发送 /plan 备案，再填${form.title}。`)];
  return [formReply(form, { planOptions: plans.map((p) => ({ value: String(p.id), label: `#${p.id} ${p.project}` })) })];
}

/** "/plan 编辑 12", "/summary 编辑 12": the filing's form, filled in, for an admin to correct. */
export async function sendEditForm(ctx: CommandContext, form: FormDef & { name: 'plan' | 'summary' }): Promise<Reply[]> {
  const id = Number(toHalfWidth(ctx.args[1] ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0) return [text(`请写计划编号，例如：/${form.command} 编辑 12`)];
  const plan = await ctx.app.db.plan.findUnique({ where: { id }, include: { unit: true, summary: true } });
  if (!plan) return [text(`没有编号为 ${id} 的计划。`)];
  if (plan.withdrawnAt) return [text(`计划 #${id} 已撤回，请先发送 /恢复 ${id} 再修改。`)];
  const values = form.name === 'plan' ? planValues(plan) : summaryValues(plan, plan.summary);
  const raw: Record<string, string> = {};
  for (const f of form.fields) if (values[f.key] !== undefined) raw[f.key] = f.type === 'planRef' ? String(id) : formatValue(f, values[f.key]);
  const pending: PendingEdit = { form: form.name, planId: id };
  await setPending(ctx.app.db, 'edit', ctx.msg, pending, EDIT_TTL_MS, ctx.app.now());
  const what = form.name === 'plan' ? `计划 #${id}「${plan.project}」` : `计划 #${id}「${plan.project}」的总结`;
  return [
    text(`正在代「${plan.unit.name}」修改${what}（30分钟内有效）。改好后提交即可，修改记录会注明由管理员${ctx.msg.userName}代为修改；不改了请发送 /${form.command}。`),
    formReply(form, { values: raw, planOptions: [{ value: String(id), label: `#${id} ${plan.project}` }] }),
  ];
}
