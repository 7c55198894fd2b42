// What /plan, /progress, /summary and /report have in common: check the sender may file, then send
// the form (the adapter renders it as a card, an HTML form or a text template).
import type { CommandContext } from '../commands/registry.js';
import type { Reply } from '../core/messages.js';
import { text } from '../core/messages.js';
import type { FormDef } from '../forms/types.js';
import { currentCampaign } from './current-campaign.js';
import { formReply } from './form-reply.js';
import { notRegisteredText } from './members.js';

export async function sendForm(ctx: CommandContext, form: FormDef): Promise<Reply[]> {
  const unit = ctx.member?.unit;
  if (!unit) return [text(await notRegisteredText(ctx.app.db, ctx.msg, ctx.binding, `填报${form.title}`))];
  const campaign = await currentCampaign(ctx);
  if (!campaign) return [text('还没有创建竞赛年度，请管理员先发送“/campaign add 年度”。')];
  const needsPlan = form.fields.some((f) => f.type === 'planRef');
  if (!needsPlan) return [formReply(form)];
  const plans = await ctx.app.db.plan.findMany({ where: { campaignId: campaign.id, unitId: unit.id }, orderBy: { id: 'asc' }, select: { id: true, project: true } });
  if (!plans.length) return [text(`${unit.name}在${campaign.year}年度还没有备案计划，请先发送 /plan 备案，再填${form.title}。`)];
  return [formReply(form, { planOptions: plans.map((p) => ({ value: String(p.id), label: `#${p.id} ${p.project}` })) })];
}
