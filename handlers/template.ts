// /template 模板 <计划|总结|进度|年报> [表格]: a form's text template to copy, fill in and send back
// (guide first, then the bare template, as the WeChat form path sends it); with 表格, the official
// 计划表 as a blank .xlsx for the sender's unit, or the 汇总表 with the unit's plans already listed.
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { FORMS, type FormDef, type FormName } from '../src/forms/index.js';
import { renderTemplate, renderTemplateGuide } from '../src/forms/text-template.js';
import type { Campaign, Unit } from '../src/store/models.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { notRegisteredText } from '../src/services/members.js';
import { blankPlanTemplate, summaryTemplate, templatePlans } from '../src/services/excel/blank-template.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const USAGE = '/模板 [计划|总结|进度|年报] [表格]';

const FORM_WORDS: Record<string, FormName> = {
  plan: 'plan', 计划: 'plan', 竞赛计划: 'plan', 附件一: 'plan',
  summary: 'summary', 总结: 'summary', 汇总: 'summary', 竞赛总结: 'summary', 附件二: 'summary',
  progress: 'progress', 进度: 'progress', 竞赛进度: 'progress',
  report: 'report', 年报: 'report', 报告: 'report', 年度报告: 'report',
};
const EXCEL_WORDS = ['表格', '表', 'excel', 'xlsx', 'xls'];
/** One word for both: "/模板 计划表". */
const TABLE_WORDS: Record<string, FormName> = { 计划表: 'plan', 汇总表: 'summary', 总结表: 'summary' };


function menu(): string {
  return [
    '要哪一种模板？',
    '· /模板 计划 — 竞赛计划',
    '· /模板 总结 — 竞赛总结',
    '· /模板 进度 — 竞赛进度',
    '· /模板 年报 — 年度报告',
    '复制文字模板填好后整条发回即可。要Excel表格再加“表格”：/模板 计划 表格（空白计划表），/模板 总结 表格（汇总表，已列出本单位的计划）。',
  ].join('\n');
}

/** The guide, then the bare template as its own message so it copies clean. */
function textTemplate(form: FormDef, before?: string): Reply[] {
  const guide = renderTemplateGuide(form);
  return [text(before ? `${before}\n${guide}` : guide), text(renderTemplate(form))];
}

/**
 * The unit a table is for and the campaign giving its year and deadline: the sender's own unit; an
 * admin who files for no unit gets the group's unit, else the unit running the campaign.
 */
async function tableUnit(ctx: CommandContext, doing: string): Promise<{ unit: Unit; campaign: Campaign } | { refusal: string }> {
  const own = ctx.member?.unit ?? null;
  if (!own && !ctx.isAdmin) return { refusal: await notRegisteredText(ctx.app.db, ctx.msg, ctx.binding, doing) };
  if (own?.archivedAt) return { refusal: `您登记的单位「${own.name}」已被管理员删除（归档），暂时不能${doing}。如有疑问请联系管理员。` };
  const campaign = await currentCampaign(ctx);
  if (!campaign) return { refusal: NO_CAMPAIGN };
  if (own) return { unit: own, campaign };
  const unit = ctx.binding?.unit
    ?? (campaign.unitId !== null ? await ctx.app.db.unit.findUnique({ where: { id: campaign.unitId } }) : null)
    ?? (await onlyTopUnit(ctx));
  if (!unit) return { refusal: `不知道这张表给哪个单位用。请在绑定了单位的工作群里发送，或先发送“/加入 单位名称”登记。` };
  return { unit, campaign };
}

async function onlyTopUnit(ctx: CommandContext): Promise<Unit | null> {
  const tops = await ctx.app.db.unit.findMany({ where: { parentId: null, archivedAt: null }, orderBy: { id: 'asc' }, take: 2 });
  return tops.length === 1 ? tops[0] : null;
}

async function table(ctx: CommandContext, form: FormDef): Promise<Reply[]> {
  if (form.name === 'report' || form.name === 'progress') return textTemplate(form, `${form.title}没有表格模板，请用文字模板：`);
  const target = await tableUnit(ctx, '下载表格模板');
  if ('refusal' in target) return [text(target.refusal)];
  const { unit, campaign } = target;
  const now = ctx.app.now();
  if (form.name === 'plan') {
    const t = await blankPlanTemplate(campaign, unit, now);
    return [{ kind: 'file', fileName: t.fileName, data: t.data, caption: `📎 ${t.title}（空白）：每项竞赛填一行，行不够可以插入。` }];
  }
  const plans = await templatePlans(ctx.app.db, campaign, unit.id);
  if (!plans.length) {
    // An admin asking in the federation's group wants the units' tables, which each unit gets itself.
    if (ctx.member?.unit?.id !== unit.id) return [text(`汇总表模板按单位发放，列出该单位已备案的计划：请各单位联络员发送“/模板 总结 表格”领取本单位的表。${unit.name}本身在${campaign.year}年度没有备案计划。`)];
    return [text(`${unit.name}在${campaign.year}年度还没有备案计划，请先发送“/计划”备案，再下载汇总表。`)];
  }
  const t = await summaryTemplate(campaign, unit, plans, now);
  return [{ kind: 'file', fileName: t.fileName, data: t.data, caption: `📎 ${t.title}：已列出本单位 ${plans.length} 项计划，请填实际参与人数、经费支出和获奖情况。` }];
}

export default defineCommand({
  name: 'template',
  aliases: ['模板'],
  usage: USAGE,
  summary: '领取填报模板：文字模板复制填好后发回；加“表格”得到计划表、汇总表的Excel空白表',
  access: 'anyone',
  group: 'filing',
  async run(ctx) {
    if (!ctx.args.length) return [text(menu())];
    let form: FormName | undefined;
    let excel = false;
    for (const arg of ctx.args) {
      const w = arg.toLowerCase();
      const named = Object.hasOwn(TABLE_WORDS, w) ? TABLE_WORDS[w] : Object.hasOwn(FORM_WORDS, w) ? FORM_WORDS[w] : undefined;
      if (named) {
        if (form && form !== named) return [text(`一次要一种模板，例如：/模板 ${FORMS[form].title.replace('竞赛', '')}`)];
        form = named;
        if (Object.hasOwn(TABLE_WORDS, w)) excel = true;
      } else if (EXCEL_WORDS.includes(w)) excel = true;
      else return [text(`没有“${arg}”模板。可选：计划、总结、进度、年报；要Excel表格再加“表格”，例如：/模板 计划 表格`)];
    }
    if (!form) return [text('请写要哪一种：计划、总结、进度或年报，例如：/模板 计划 表格')];
    return excel ? table(ctx, FORMS[form]) : textTemplate(FORMS[form]);
  },
});
