// Filing a plan, progress update, summary or year-end report: validate with the form's one
// definition, then write the row and its revision in one transaction. Re-filing the same thing is
// a new version; the previous values stay in the revision log. Late filings are kept and marked.
import type { App } from '../core/app.js';
import type { FormSubmission, Reply, SubmitOutcome, SubmitResult } from '../core/messages.js';
import { text } from '../core/messages.js';
import { withUnitLock, type Db, type Tx } from '../store/client.js';
import type { Campaign, Member, Plan, Unit } from '../store/models.js';
import { FORMS } from '../forms/index.js';
import type { Award, DateRange, FieldDef, FieldError, FormDef, FormName, FormValues, Headcount, KeyProjectValue } from '../forms/types.js';
import { awardsText, highestLevel, parseAwards } from '../forms/summary.js';
import { validateForm, type PlanRef, type RawValues } from '../forms/validate.js';
import { formatLines, formatValue, readDates } from '../forms/display.js';
import { FIX_MARK, renderTemplate } from '../forms/text-template.js';
import { planKey, stripInvisible, unsafeCharacters } from '../forms/coerce.js';
import { addDays, chineseDate, shanghaiDate } from '../util/dates.js';
import { campaignLabel, campaignsForUnit, daysLeft, deadlineOf, isLate, latestCampaign, type DeadlineForm } from './campaigns.js';
import { askedUnitForms } from './roll-call.js';
import { getBinding, getMember, isAdmin, notRegisteredText } from './members.js';
import type { Turn } from './turn.js';
import { formReply } from './form-reply.js';
import { keyProjectNames, keyProjectOptions, resolveKeyProject } from './key-projects.js';
import { NO_CAMPAIGN } from '../core/wording.js';
import { GUIDED_WORD } from './guided-filing.js';
import { asNumber } from './raw-sql.js';
import { sql } from '../store/sql.js';

/** Who files what from where: a form submission's envelope with the raw field text. */
export interface FilingRequest extends Omit<FormSubmission, 'values'> {
  raw: RawValues;
  /** A typed template gets a corrected template back; a card or HTML form gets the form again. */
  via: 'template' | 'form';
  /** Labels in a typed template that belong to no field. */
  unknownLabels?: string[];
  /** Labels a typed template gives twice with different values. */
  duplicates?: string[];
  /** The form a typed template's lines belong to, when its title names another (see text-template.ts). */
  belongsTo?: FormName;
  /** The pipeline's reads of the sender and the chat, reused rather than read again. */
  turn?: Turn;
}

/** How far ahead of today a progress entry may be dated (an event planned for next week, not next year). */
const PROGRESS_DAYS_AHEAD = 7;

interface Filer {
  member: Member & { unit: Unit | null };
  unit: Unit;
  campaign: Campaign;
  actor: { platform: string; userId: string; userName: string; eventId: string };
  /** An admin revising this plan (or its summary) on the unit's behalf, after "/plan 编辑 N". */
  editing?: Plan;
  /**
   * Filing in a private chat while the unit takes part in several campaigns of the year: a summary or
   * progress entry goes to the campaign of the plan it names, which is looked for in all of them.
   */
  campaigns?: Campaign[];
}

type Stored = {
  entity: string; id: number; version: number; late: boolean; changed: boolean; planId?: number;
  /** When the filing was first made (its late mark is that filing's), to say how many days late. */
  filedAt: Date;
  /** On a re-filing, the values it replaced (in the form's shape), to tell the user what changed. */
  before?: FormValues;
  /** A new plan was recognised as this one written another way (quotes, spaces, width, punctuation). */
  sameAs?: { id: number; project: string };
  /** A new plan that looks like an existing one (one character apart, or one name contains the other). */
  similar?: { id: number; project: string };
  /** The plan had been withdrawn; filing it again restored it. */
  restored?: boolean;
};

/**
 * Who files: the sender for their unit, or an admin correcting a unit's plan (or its summary) with the
 * form "/plan 编辑 N" sent — which says so itself (FormSubmission.editPlanId), so an admin's own next
 * filing is never taken for the correction.
 */
async function whoFiles(app: App, req: FilingRequest, form: FormDef): Promise<Filer | { refusal: string }> {
  const member = await (req.turn?.member() ?? getMember(app.db, req.platform, req.userId));
  const binding = await (req.turn?.binding() ?? getBinding(app.db, req.platform, req.chatId));
  const actor = { platform: req.platform, userId: req.userId, userName: req.userName, eventId: req.eventId };
  if (req.editPlanId !== undefined) {
    if (!isAdmin(app.config, member, req.platform, req.userId)) {
      return { refusal: `只有管理员可以代单位修改（标题里的“修改 #${req.editPlanId}”）。要修改本单位的${form.title}，请去掉标题后面的“修改 #${req.editPlanId}”，按同一竞赛项目重新填报。` };
    }
    if (form.name !== 'plan' && form.name !== 'summary') return { refusal: `“修改 #${req.editPlanId}”只用于计划和总结。` };
    const plan = await app.db.plan.findUnique({ where: { id: req.editPlanId }, include: { unit: true, campaign: true } });
    if (!plan) return { refusal: `没有编号为 ${req.editPlanId} 的计划，没有保存。` };
    if (plan.withdrawnAt) return { refusal: `计划 #${plan.id} 已被撤回，修改没有保存。如需修改，请先发送 /恢复 ${plan.id}。` };
    return { member: member!, unit: plan.unit, campaign: plan.campaign, actor, editing: plan };
  }
  if (!member?.unit) return { refusal: await notRegisteredText(app.db, req, binding, `填报${form.title}`) };
  if (member.unit.archivedAt) return { refusal: `您登记的单位「${member.unit.name}」已被管理员删除（归档），暂时不能填报。如有疑问请联系管理员（恢复：/单位 恢复 ${member.unit.name}）。` };
  if (binding) return { member, unit: member.unit, campaign: binding.campaign, actor };
  const campaign = await latestCampaign(app.db, member.unit.id);
  if (!campaign) return { refusal: NO_CAMPAIGN };
  const current = (await campaignsForUnit(app.db, member.unit.id)).filter((c) => c.year === campaign.year);
  if (current.length > 1 && !form.fields.some((f) => f.type === 'planRef')) {
    // Which campaign a new plan or a report belongs to cannot be guessed: the group knows.
    return { refusal: `${member.unit.name}在${campaign.year}年度参加 ${current.length} 项竞赛：${current.map((c) => campaignLabel(c)).join('、')}。私聊中无法确定${form.title}交给哪一项，请在该竞赛的工作群里提交。` };
  }
  return { member, unit: member.unit, campaign, actor, ...(current.length > 1 ? { campaigns: current } : {}) };
}

/** The campaign a filing about `plan` goes to: the plan's own, when the filer may file in several. */
function campaignOf(filer: Filer, plan: Plan): Campaign {
  return filer.campaigns?.find((c) => c.id === plan.campaignId) ?? filer.campaign;
}

const result = (outcome: SubmitOutcome, replies: Reply[]): SubmitResult => ({ outcome, replies });

export async function submitFiling(app: App, req: FilingRequest): Promise<SubmitResult> {
  const form = FORMS[req.form];
  const who = await whoFiles(app, req, form);
  if ('refusal' in who) return result('refused', [text(who.refusal)]);
  const filer = who;
  const campaign = filer.campaign;
  if (req.belongsTo) return result('rejected', [text(wrongTitle(form, FORMS[req.belongsTo], req.unknownLabels ?? []))]);

  const validated = validateForm(form, req.raw, { defaultYear: campaign.year });
  const errors = [...validated.errors];
  for (const label of req.unknownLabels ?? []) {
    // The correction template has no line for it, so its text must be moved by hand if it belongs somewhere.
    errors.push({ key: `unknown:${label}`, label, message: `「${label}」不是${form.title}的填报项目，下一条里已去掉这一行；如果是某一项的内容，请填到那一项` });
  }
  for (const label of new Set(req.duplicates ?? [])) {
    const field = form.fields.find((f) => f.label === label);
    if (!field) continue;
    // Which of two different values is meant is the user's call, not ours.
    const message = TWICE;
    const existing = errors.find((e) => e.key === field.key);
    if (existing) existing.message = `${message}；${existing.message}`;
    else errors.push({ key: field.key, label: field.label, message });
  }
  let plan: Plan | null = null;
  if (validated.values.plan) {
    const found = await resolvePlan(app, filer, validated.values.plan as PlanRef);
    if ('error' in found) errors.push({ key: 'plan', label: '计划编号', message: found.error });
    else plan = found.plan;
    // A summary belongs to its plan's campaign (a private chat may not say which).
    if (plan) filer.campaign = campaignOf(filer, plan);
  }
  errors.push(...campaignDateErrors(form, validated.values, filer.campaign, app.now()));
  // The campaign's key-project list matters only for a plan that names one (or says 是), and for a
  // form sent back with its choices: most plans say 否 and need no read.
  const keyValue = validated.values.keyProject;
  let keyProjects = form.name === 'plan' && keyValue !== undefined && keyValue !== false ? await keyProjectNames(app.db, filer.campaign.id) : NO_KEY_PROJECTS;
  const keyNote = checkKeyProject(validated.values, keyProjects, errors);
  if (errors.length) {
    if (form.name === 'plan' && req.via === 'form' && keyProjects === NO_KEY_PROJECTS) keyProjects = await keyProjectNames(app.db, filer.campaign.id);
    // The form comes back with its plan list, so the filer picks the plan again instead of typing it.
    const planOptions = req.via === 'form' && form.fields.some((f) => f.type === 'planRef')
      ? (await app.db.plan.findMany({ where: { campaignId: { in: (filer.campaigns ?? [filer.campaign]).map((c) => c.id) }, unitId: filer.unit.id, withdrawnAt: null }, orderBy: { id: 'asc' }, select: { id: true, project: true } })).map((p) => ({ value: String(p.id), label: `#${p.id} ${p.project}` }))
      : undefined;
    return result('rejected', rejection(form, req, errors, { planOptions, ...(form.name === 'plan' ? { keyProjectOptions: keyProjectOptions(keyProjects.active) } : {}) }));
  }

  const at = app.now();
  // An admin's correction does not make a filing late (or on time): it keeps its own mark.
  const late = filer.editing && form.name === 'plan' ? filer.editing.late : isLate(filer.campaign, form.name, at);
  // Under the unit's lock: two versions of one plan sent at once (other quotes) must not both become new plans.
  const write = () => withUnitLock(app.db, filer.unit.id, (tx) => store(tx, form.name, filer, validated.values, plan, late, at));
  let stored: Stored;
  try {
    try {
      stored = await write();
    } catch (err) {
      // Two messages filing the same new project at once: the loser of the unique-key race runs again
      // and finds the winner's row, so it becomes a re-filing instead of an error.
      if ((err as { code?: string }).code !== 'P2002') throw err;
      stored = await write();
    }
  } catch (err) {
    if (!(err instanceof PlanNameTaken)) throw err;
    return result('refused', [text(`❗ 没有保存：「${filer.unit.name}」已有计划 #${err.other.id} 叫「${err.other.project}」。请换一个竞赛项目名称；如果两项其实是同一项，请撤回其中一项（/撤回 编号）。`)]);
  }
  app.log.info({ form: form.name, entity: stored.entity, id: stored.id, version: stored.version, unitId: filer.unit.id, late, byAdmin: Boolean(filer.editing) }, 'filing stored');
  const planId = stored.planId ?? (form.name === 'plan' ? stored.id : undefined);
  return {
    ...result('filed', [text(receipt(form, filer, validated.values, stored, plan, [...(await receiptNotes(app, filer, form)), ...(keyNote ? [keyNote] : [])]))]),
    filed: { unit: filer.unit.name, form: form.title, ...(planId ? { planId } : {}), revised: stored.version > 1, changed: stored.changed },
  };
}

/**
 * What a submission saved, found by its event id, in a receipt's first line: for a form submitted
 * again after the first submit was handled (a double click, or a redelivery that reached another bot
 * process, where the first one's answer is not known). Null when that submission filed nothing (yet).
 */
export async function receiptOfEvent(app: App, platform: string, eventId: string): Promise<{ form: FormName; text: string } | null> {
  const rev = await app.db.revision.findFirst({
    where: { actorPlatform: platform, sourceMessageId: eventId, entity: { in: Object.keys(FORMS) } },
    orderBy: { id: 'desc' },
    select: { entity: true, entityId: true, version: true },
  });
  if (!rev) return null;
  const form = FORMS[rev.entity as FormName];
  const version = rev.version > 1 ? `（第${rev.version}版）` : '';
  const plan = { select: { id: true, project: true, unit: { select: { name: true } } } } as const;
  let what: string | undefined;
  if (form.name === 'plan') {
    const p = await app.db.plan.findUnique({ where: { id: rev.entityId }, select: { id: true, project: true, withdrawnAt: true, unit: { select: { name: true } } } });
    if (p) what = `计划编号 #${p.id} ${p.unit.name}「${p.project}」${version}${p.withdrawnAt ? '，之后已撤回' : ''}`;
  } else if (form.name === 'progress') {
    const u = await app.db.progressUpdate.findUnique({ where: { id: rev.entityId }, select: { id: true, plan } });
    if (u) what = `计划编号 #${u.plan.id} ${u.plan.unit.name}「${u.plan.project}」，进度编号 #${u.id}`;
  } else if (form.name === 'summary') {
    const s = await app.db.summary.findUnique({ where: { id: rev.entityId }, select: { plan } });
    if (s) what = `计划编号 #${s.plan.id} ${s.plan.unit.name}「${s.plan.project}」${version}`;
  } else {
    const r = await app.db.yearReport.findUnique({ where: { id: rev.entityId }, select: { unit: { select: { name: true } } } });
    if (r) what = `${r.unit.name}${version}`;
  }
  if (!what) return null;
  return { form: form.name, text: `✅ ${form.title}已保存：${what}\n这张表单已经提交过，以上是保存的内容。查看：/我的` };
}

/** No key-project list (forms other than the plan have no 重点项目). */
const NO_KEY_PROJECTS = { active: [], withdrawn: [] };

/**
 * A plan's 重点项目 resolved against the campaign's list (in place: the stored value becomes the listed
 * project). Returns a note for the receipt when a shortened name was read as a listed one.
 */
function checkKeyProject(values: FormValues, list: { active: { id: number; name: string }[]; withdrawn: { name: string }[] }, errors: FieldError[]): string | undefined {
  if (values.keyProject === undefined) return undefined;
  const resolved = resolveKeyProject(values.keyProject as KeyProjectValue, list.active, list.withdrawn);
  if (!resolved.ok) {
    errors.push({ key: 'keyProject', label: '重点项目', message: resolved.message });
    delete values.keyProject;
    return undefined;
  }
  values.keyProject = resolved.value;
  return resolved.loose ? `重点项目「${resolved.loose}」按名单记为「${(resolved.value as { name: string }).name}」。` : undefined;
}

/** One row of a spreadsheet to file: its row number in the file and its raw values by field key. */
export interface BatchRow {
  row: number;
  raw: RawValues;
  /** The row's 所属单位, when it names a unit other than the sender's. */
  otherUnit?: string;
}

const MAX_LISTED_ROWS = 30;
/** More rows than any unit files in a year; a bigger sheet would hold the bot up in one transaction. */
const MAX_BATCH_ROWS = 300;

/**
 * A filled 计划表 or 汇总表: every row validated with the form's rules, then all filed for the sender's
 * unit in one transaction — or, if any row is wrong, none, with every bad row named (row number,
 * column, fix). Rows naming the same plan twice are refused; a plan already filed is revised.
 */
export async function submitFilingBatch(
  app: App,
  req: Omit<FilingRequest, 'raw' | 'via'>,
  rows: BatchRow[],
  source: { label: string; notes: string[]; skipped: number; hidden: number; year?: number; keepKeyProjects?: boolean },
): Promise<Reply[]> {
  const form = FORMS[req.form];
  if (rows.length > MAX_BATCH_ROWS) return [text(`❗ 没有导入：${source.label}有 ${rows.length} 行，一次最多导入 ${MAX_BATCH_ROWS} 行。请分成几张表发送。`)];
  const who = await whoFiles(app, { ...req, raw: {}, via: 'form' }, form);
  if ('refusal' in who) return [text(who.refusal)];
  const filer = who;
  // The sheet's title names its year; filing it into another year's campaign would move every date.
  if (source.year && source.year !== filer.campaign.year) {
    return [text(`❗ 没有导入：${source.label}的标题是${source.year}年度，而这里对应的是${campaignLabel(filer.campaign)}。请在${source.year}年度竞赛的工作群里发送“/导入”和这张表；如果表格标题写错了，请改正后再发送。`)];
  }
  const errors: string[] = [];
  const checked: { row: number; values: FormValues; plan: Plan | null }[] = [];
  const seen = new Map<string, { row: number; enterprise: string }>();
  const keyProjects = form.name === 'plan' ? await keyProjectNames(app.db, filer.campaign.id) : NO_KEY_PROJECTS;
  const unitPlans = form.name === 'plan' ? await app.db.plan.findMany({ where: { campaignId: filer.campaign.id, unitId: filer.unit.id }, select: { id: true, project: true, enterpriseName: true, withdrawnAt: true, keyProject: true, keyProjectId: true, keyProjectRef: { select: { name: true } } } }) : [];
  const warnings: string[] = [];
  for (const r of rows) {
    const rowErrors: FieldError[] = [];
    if (r.otherUnit) rowErrors.push({ key: 'unit', label: '所属单位', message: `「${r.otherUnit}」不是您登记的单位（${filer.unit.name}）；每个单位只能导入本单位的竞赛` });
    const result = validateForm(form, r.raw, { defaultYear: filer.campaign.year });
    rowErrors.push(...result.errors);
    let plan: Plan | null = null;
    if (result.values.plan) {
      const found = await resolvePlan(app, filer, result.values.plan as PlanRef);
      if ('error' in found) rowErrors.push({ key: 'plan', label: '竞赛项目', message: found.error });
      else plan = found.plan;
      // 计划编号 and 竞赛项目 both given: they must name the same plan.
      const named = r.raw.planName?.trim();
      if (plan && named && named !== String((result.values.plan as { id?: number }).id ?? '') && planKey(named) !== planKey(plan.project)) {
        rowErrors.push({ key: 'plan', label: '计划编号', message: `计划 #${plan.id} 是「${plan.project}」，与本行的竞赛项目「${named}」不一致，请核对` });
        plan = null;
      }
    }
    const campaign = plan ? campaignOf(filer, plan) : filer.campaign;
    rowErrors.push(...campaignDateErrors(form, result.values, campaign, app.now()));
    const keyNote = checkKeyProject(result.values, keyProjects, rowErrors);
    if (keyNote && !rowErrors.length) warnings.push(`第${r.row}行：${keyNote}`);
    // The same competition twice in one sheet: which row is meant is the cadre's call. For plans the
    // name decides (one plan per 竞赛项目): the same name for two enterprises needs telling apart.
    const enterprise = String(result.values.enterpriseName ?? '');
    const key = form.name === 'plan' ? (result.values.project ? planKey(String(result.values.project)) : '') : plan ? `#${plan.id}` : '';
    if (key) {
      const before = seen.get(key);
      if (before && form.name === 'plan' && before.enterprise !== enterprise) {
        rowErrors.push({ key: 'dup', label: '竞赛项目', message: `与第${before.row}行同名，但企业不同（${before.enterprise}）。同一名称只能是一项竞赛：请在竞赛项目里加上企业名称，例如「${enterprise}${String(result.values.project)}」` });
      } else if (before) {
        rowErrors.push({ key: 'dup', label: '竞赛项目', message: `与第${before.row}行是同一项竞赛，请只保留一行` });
      } else seen.set(key, { row: r.row, enterprise });
    }
    const existing = key && form.name === 'plan' ? unitPlans.find((p) => planKey(p.project) === key) : undefined;
    // A sheet without a 重点项目 column says nothing about it: a plan already filed keeps what it had.
    if (existing && source.keepKeyProjects && result.values.keyProject !== undefined) {
      result.values.keyProject = existing.keyProjectRef ? { id: existing.keyProjectId!, name: existing.keyProjectRef.name } : existing.keyProject;
    }
    if (existing && !rowErrors.length && existing.enterpriseName !== enterprise) {
      warnings.push(`⚠️ 第${r.row}行：计划 #${existing.id}「${existing.project}」的企业名称由「${existing.enterpriseName}」改为「${enterprise}」。如果这是另一家企业的竞赛，请在竞赛项目里加上企业名称后重新发送（原内容保留在修改记录里）。`);
    }
    for (const e of rowErrors) errors.push(`第${r.row}行 · ${e.label}：${e.message}`);
    if (!rowErrors.length) checked.push({ row: r.row, values: result.values, plan });
  }
  if (errors.length) {
    const lines = [
      `❗ 没有导入：${source.label}有 ${errors.length} 处需要修改，整张表都没有保存。`,
      ...errors.slice(0, MAX_LISTED_ROWS),
      ...(errors.length > MAX_LISTED_ROWS ? [`……另有 ${errors.length - MAX_LISTED_ROWS} 处`] : []),
      '', '请在表格里改好后，把整张表再发送一次。',
    ];
    return [text(lines.join('\n'))];
  }

  const at = app.now();
  const stored = await withUnitLock(app.db, filer.unit.id, async (tx) => {
    const out: { stored: Stored; values: FormValues; plan: Plan | null }[] = [];
    for (const c of checked) {
      const campaign = c.plan ? campaignOf(filer, c.plan) : filer.campaign;
      const rowFiler = { ...filer, campaign };
      out.push({ stored: await store(tx, form.name, rowFiler, c.values, c.plan, isLate(campaign, form.name, at), at), values: c.values, plan: c.plan });
    }
    return out;
  }, { timeout: 60_000 });
  app.log.info({ form: form.name, rows: stored.length, unitId: filer.unit.id }, 'sheet imported');

  const created = stored.filter((x) => x.stored.changed && x.stored.version === 1).length;
  const revised = stored.filter((x) => x.stored.changed && x.stored.version > 1).length;
  const same = stored.length - created - revised;
  const what = form.name === 'plan' ? '竞赛计划' : '竞赛总结';
  const lines = [
    `✅ 已从${source.label}导入${what} ${stored.length} 项（填报单位：${filer.unit.name}）：新提交 ${created} 项，修改 ${revised} 项，内容未变 ${same} 项。`,
    ...(await receiptNotes(app, filer, form)),
  ];
  for (const x of stored.slice(0, MAX_LISTED_ROWS)) {
    const id = form.name === 'plan' ? x.stored.id : x.plan!.id;
    // As stored: a name typed with other quotes or spaces is the plan's first spelling.
    const project = form.name === 'plan' ? x.stored.sameAs?.project ?? String(x.values.project) : x.plan!.project;
    const state = !x.stored.changed ? '未变' : x.stored.version > 1 ? `第${x.stored.version}版` : '新提交';
    // How worded dates were read, as the form receipts say it.
    const period = form.name === 'plan' ? (x.values.period as DateRange) : undefined;
    const read = period?.text ? `：时间安排「${period.text}」按${readDates(period)}计` : '';
    lines.push(`#${id} ${project}（${state}${x.stored.restored ? '，原已撤回，已恢复' : ''}${x.stored.changed && x.stored.late ? '，逾期' : ''}）${read}`);
  }
  if (stored.length > MAX_LISTED_ROWS) lines.push(`……另有 ${stored.length - MAX_LISTED_ROWS} 项`);
  if (stored.some((x) => x.stored.changed && x.stored.late)) lines.push(`⚠️ 已过截止日期（${chineseDate(deadlineOf(filer.campaign, form.name as DeadlineForm))}），新提交的记为逾期`);
  lines.push(...warnings);
  if (source.skipped) lines.push(`${source.skipped} 项计划在表中还没有填总结，未导入。`);
  if (source.hidden) lines.push(`${source.hidden} 行在表格里是隐藏的，未导入；要导入请先取消隐藏。`);
  lines.push(...source.notes);
  if (form.name === 'plan') lines.push('', '报进度、交总结时写“计划编号：N”即可；发送“/我的”查看本单位的全部计划。');
  return [text(lines.join('\n'))];
}

/** How many campaigns the installation has in `year` (a raw count: every receipt asks, see store/raw-rows.ts). */
async function campaignsInYear(db: Db, year: number): Promise<number> {
  const [row] = await sql(db)<{ n: unknown }>`SELECT COUNT(*) AS "n" FROM "Campaign" WHERE "year" = ${year}`;
  return asNumber(row.n);
}

/** Lines a receipt needs beyond the filing: which campaign, when the year has several; a report not asked for. */
async function receiptNotes(app: App, filer: Filer, form: FormDef): Promise<string[]> {
  const notes: string[] = [];
  // Usually the year has one campaign in the whole installation, which one count says without
  // reading every unit for the unit's own campaigns.
  const several = filer.campaigns
    ? filer.campaigns.length > 1
    : (await campaignsInYear(app.db, filer.campaign.year)) > 1 && (await campaignsForUnit(app.db, filer.unit.id)).filter((c) => c.year === filer.campaign.year).length > 1;
  if (several) notes.push(`竞赛：${campaignLabel(filer.campaign)}`);
  if (form.name === 'report' && !(await askedUnitForms(app.db, filer.campaign, filer.unit.id)).report) {
    notes.push('（本竞赛的年度报告只需直属单位提交；本单位的报告已保存，供上级参考，不计入统计。）');
  }
  return notes;
}

async function resolvePlan(app: App, filer: Filer, ref: PlanRef): Promise<{ plan: Plan } | { error: string }> {
  const where = { campaignId: { in: (filer.campaigns ?? [filer.campaign]).map((c) => c.id) }, unitId: filer.unit.id };
  let plan = 'id' in ref
    ? await app.db.plan.findFirst({ where: { ...where, id: ref.id } })
    : await app.db.plan.findFirst({ where: { ...where, project: ref.project } });
  if (!plan && 'project' in ref) {
    // Retyped on a phone, a name differs in spaces, quote marks or character width; one plan that
    // matches once those are ignored is the one meant.
    const wanted = planKey(ref.project);
    const close = (await app.db.plan.findMany({ where })).filter((p) => planKey(p.project) === wanted);
    if (close.length === 1) plan = close[0];
  }
  if (plan?.withdrawnAt) return { error: `计划 #${plan.id}「${plan.project}」已撤回。如需继续填报，请先发送 /恢复 ${plan.id}` };
  if (plan) return { plan };
  const mine = await app.db.plan.findMany({ where: { ...where, withdrawnAt: null }, select: { id: true, project: true }, orderBy: { id: 'asc' }, take: 10 });
  const what = 'id' in ref ? `编号 ${ref.id} ` : `「${ref.project}」`;
  if (!mine.length) return { error: `${filer.unit.name}还没有备案任何计划，请先发送“/计划”备案` };
  return { error: `本单位没有${what}的计划。本单位的计划有：${mine.map((p) => `#${p.id} ${p.project}`).join('；')}` };
}

/**
 * Dates that parse but cannot be right for this campaign: a plan running outside the campaign year
 * and the next, a progress entry dated outside them or more than a week ahead.
 */
function campaignDateErrors(form: FormDef, values: FormValues, campaign: Campaign, now: Date): FieldError[] {
  const first = `${campaign.year}-01-01`;
  const last = `${campaign.year + 1}-12-31`;
  const window = `${chineseDate(first)}至${chineseDate(last)}`;
  if (form.name === 'plan' && values.period) {
    const r = values.period as DateRange;
    if (r.start < first || r.end > last) {
      return [{ key: 'period', label: '时间安排', message: `时间安排应在${campaign.year}年度内（${window}之间），现在是${chineseDate(r.start)}至${chineseDate(r.end)}，请核对年份` }];
    }
  }
  if (form.name === 'progress' && typeof values.date === 'string') {
    const latest = addDays(shanghaiDate(now), PROGRESS_DAYS_AHEAD);
    if (values.date > latest) return [{ key: 'date', label: '日期', message: `${chineseDate(values.date)}还没到。进度请写已经开展或${PROGRESS_DAYS_AHEAD}天内就要开展的活动日期，请核对` }];
    if (values.date < first || values.date > last) return [{ key: 'date', label: '日期', message: `日期应在${campaign.year}年度内（${window}之间），请核对年份` }];
  }
  return [];
}

/** A template whose title names one form while its lines are another form's. */
function wrongTitle(form: FormDef, belongs: FormDef, labels: string[]): string {
  const shown = labels.slice(0, 5).join('、');
  return [
    `❗ 没有保存：标题是【${form.title}】，但下面的项目（${shown}）是【${belongs.title}】的。`,
    `如果要填${belongs.title}，请把第一行改成【${belongs.title}】后重新发送；如果要填${form.title}，请发送“/${GUIDED_WORD[form.name]}”获取${form.title}模板。`,
  ].join('\n');
}

/** Whether the edit distance of two character lists is at most `max` (stops early beyond it). */
function within(a: string[], b: string[], max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return false;
    prev = cur;
  }
  return prev[b.length] <= max;
}

/** Whether two plan keys look like the same competition typed twice (not equal, but close). */
function looksAlike(a: string, b: string): boolean {
  if (a.length < 3 || b.length < 3) return false;
  return a.includes(b) || b.includes(a) || within([...a], [...b], 1);
}

/** A label given twice with two values (the correction template keeps the later one). */
const TWICE = '写了两次且内容不同，请只保留一行';
const TWICE_KEPT = '写了两次且内容不同，这里留的是后写的，请核对';

/**
 * A filing that cannot be stored. A form comes back with every value and its errors. A typed template
 * comes back with every value as typed — the wrong ones too, so nobody has to find a long text again —
 * and a ❗ line under each wrong one; the message above it only says which lines, to fit a phone.
 */
function rejection(form: FormDef, req: FilingRequest, errors: FieldError[], options: { planOptions?: { value: string; label: string }[]; keyProjectOptions?: { value: string; label: string }[] } = {}): Reply[] {
  const head = `❗ ${form.title}未保存，有 ${errors.length} 处需要修改`;
  if (req.via === 'form') {
    const lines = [`${head}：`, ...errors.map((e) => `· ${e.label}：${e.message}`)];
    return [text(lines.join('\n')), formReply(form, { values: req.raw as Record<string, string>, errors: Object.fromEntries(errors.map((e) => [e.key, e.message])), editPlanId: req.editPlanId, ...(options.planOptions ? { planOptions: options.planOptions } : {}), ...(options.keyProjectOptions ? { keyProjectOptions: options.keyProjectOptions } : {}) })];
  }
  const typed: RawValues = {};
  const fixes: Record<string, string> = {};
  for (const f of form.fields) {
    const value = stripInvisible(req.raw[f.key] ?? '').trim();
    // Invisible direction controls would make the echo show other text than it holds: the echo goes
    // without them and says so, so what the cadre sees is what is filed when sent back.
    const unsafe = unsafeCharacters(value) !== null;
    typed[f.key] = unsafe ? [...value].filter((c) => unsafeCharacters(c) === null).join('') : value;
    const messages = errors.filter((e) => e.key === f.key).map((e) => e.message.replace(TWICE, TWICE_KEPT));
    if (messages.length) fixes[f.key] = `${messages.join('；')}${unsafe ? '（已替您去掉，请核对这一行）' : ''}`;
  }
  const marked = form.fields.filter((f) => fixes[f.key]).map((f) => f.label);
  // Lines that are no field (「备注：…」) are not in the template; they are explained here.
  const others = errors.filter((e) => !form.fields.some((f) => f.key === e.key));
  const lines = [
    `${head}：${[...marked, ...others.map((e) => `「${e.label}」`)].join('、')}。`,
    ...others.map((e) => `· ${e.message}`),
    marked.length ? `请改正下一条里 ${FIX_MARK} 所指的行，整条发回（${FIX_MARK} 行不用删）。` : '请核对下一条，整条发回。',
  ];
  return [text(lines.join('\n')), text(renderTemplate(form, typed, req.editPlanId, fixes))];
}

/**
 * What a filer reads after filing, sized for a phone (about six lines): which filing (number, unit,
 * project), on time or late, what changed since the last version, warnings one line each, two or three
 * key facts, and where to see the rest. The filing is stored whole; /我的, /修改记录 and the export show it.
 */
function receipt(form: FormDef, filer: Filer, values: FormValues, stored: Stored, plan: Plan | null, notes: string[] = []): string {
  const edited = filer.editing ? `已由管理员${filer.actor.userName}代为修改` : '已更新';
  const revised = stored.changed && stored.version > 1;
  const verb = !stored.changed ? '内容与上次相同，未产生新版本' : revised ? `${edited}（第${stored.version}版）` : filer.editing ? `已由管理员${filer.actor.userName}代为填报` : '已收到';
  const planId = form.name === 'plan' ? stored.id : plan?.id;
  // As stored: a name typed with other quotes or spaces keeps the plan's first spelling.
  const project = form.name === 'plan' ? stored.sameAs?.project ?? String(values.project) : plan?.project;
  const lines = [`✅ ${form.title}${verb}：${planId ? `计划编号 #${planId} ` : ''}${filer.unit.name}${project ? `「${project}」` : ''}`];
  if (form.name !== 'progress' && stored.changed) lines.push(timeliness(form, filer.campaign, stored));
  // The same 竞赛项目 under another enterprise would replace this one; said below, with the old name.
  const otherEnterprise = form.name === 'plan' && !filer.editing && stored.changed && stored.before && stored.before.enterpriseName !== values.enterpriseName;
  const changes = stored.changed && stored.before ? changedFields(form, stored.before, values, otherEnterprise ? ['enterpriseName'] : []) : [];
  if (changes.length) lines.push(`改了：${changes.join('、')}`);
  lines.push(...notes);
  if (stored.sameAs) lines.push(`竞赛项目与计划 #${stored.sameAs.id} 只是写法不同（引号、空格或标点），已作为计划 #${stored.sameAs.id} 的修改保存。`);
  if (stored.restored) lines.push(`${form.name === 'plan' ? `计划 #${stored.id} ` : `本单位的${form.title}`}原已撤回，重新提交后已恢复。`);
  if (stored.similar) lines.push(`⚠️ 与计划 #${stored.similar.id}「${stored.similar.project}」相似；如果重复了，发送 /撤回 ${stored.id}`);
  if (otherEnterprise) lines.push(`⚠️ 企业名称与原来不同（原为「${String(stored.before!.enterpriseName)}」）。如果是另一家企业的竞赛，请在竞赛项目名称里加上企业名称后重新备案。`);
  lines.push(...keyFacts(form, values, stored));
  // Where the rest is: the old version, a long text in full (the export: reports as Word, progress as
  // a table), the plan number to write from now on, or the unit's filings.
  const where: string[] = [];
  if (revised && form.name !== 'progress') where.push(`原内容已留存：/修改记录 ${form.name === 'report' ? '年报' : planId}`);
  if (form.fields.some((f) => isLongText(f, values[f.key]))) where.push(`全文：/导出 ${form.name === 'report' ? '年报' : '进度'}`);
  if (form.name === 'plan' && stored.version === 1) where.push(`报进度、交总结时写“计划编号：${stored.id}”`);
  if (!filer.editing && !where.length) where.push('查看：/我的');
  if (where.length) lines.push(where.join('；'));
  return lines.join('\n');
}

/** "按时提交（截止 2027年2月28日）" or "⚠️ 逾期3天…": a re-filing keeps its first filing's mark, and says so. */
function timeliness(form: FormDef, campaign: Campaign, stored: Stored): string {
  const deadline = chineseDate(deadlineOf(campaign, form.name as DeadlineForm));
  const first = stored.version > 1 ? '首次' : '';
  if (!stored.late) return `${first}按时提交（截止 ${deadline}）`;
  const days = -daysLeft(deadlineOf(campaign, form.name as DeadlineForm), stored.filedAt);
  return `⚠️ ${first ? '首次提交' : ''}逾期${days > 0 ? `${days}天` : ''}（截止 ${deadline}），记为逾期提交`;
}

/** Longer than this, a text is summarised in a receipt (a year-end report's 主要经验 runs to hundreds of characters). */
const RECEIPT_TEXT_MAX = 40;
const RECEIPT_PREVIEW_CHARS = 20;
/** Longer than this, a value is only named in "改了：…", not shown old→new. */
const CHANGE_SHOWN_MAX = 24;

function isLongText(f: FieldDef, value: unknown): boolean {
  return f.type === 'longtext' && value !== undefined && [...formatValue(f, value)].length > RECEIPT_TEXT_MAX;
}

/** A field's value as receipts everywhere show it, with how a worded value was read: "3月中旬至5月中旬（按…计）". */
function shown(form: FormDef, values: FormValues, key: string): string | undefined {
  const field = form.fields.find((f) => f.key === key)!;
  return formatLines(form, values, (f) => f.key === key)[0]?.slice(field.label.length + 1);
}

/** A text field in one line: whole when short, else its length and first words ("主要经验（312字）：依托……"). */
function textFact(form: FormDef, values: FormValues, key: string): string | undefined {
  const field = form.fields.find((f) => f.key === key)!;
  if (values[key] === undefined) return undefined;
  const full = formatValue(field, values[key]).replace(/\s*\n\s*/g, ' ');
  return isLongText(field, values[key]) ? `${field.label}（${[...full].length}字）：${[...full].slice(0, RECEIPT_PREVIEW_CHARS).join('')}……` : `${field.label}：${full}`;
}

/** Two or three facts that show the filing was read right (the whole of it is in /我的 and the export). */
function keyFacts(form: FormDef, values: FormValues, stored: Stored): string[] {
  const joined = (...parts: (string | undefined | false)[]) => parts.filter(Boolean).join(' · ');
  switch (form.name) {
    case 'plan': {
      const key = values.keyProject as KeyProjectValue | undefined;
      const keyProject = key === undefined || key === false ? undefined : typeof key === 'object' ? `重点项目：${key.name}` : '重点项目';
      // The enterprise too: a street union files the same kind of competition for several.
      return [
        joined(shown(form, values, 'enterpriseName'), shown(form, values, 'type'), keyProject),
        joined(`参与${shown(form, values, 'participants')}`, shown(form, values, 'period'), values.budget !== undefined && `预算${shown(form, values, 'budget')}`),
      ];
    }
    case 'summary': {
      const awards = values.awards as Award[];
      // Several awards: the first (the list is as typed) and how many.
      const listed = awardsText(awards);
      const first = awardsText(awards.slice(0, 1));
      const short = [...listed].length <= CHANGE_SHOWN_MAX ? listed : `${[...first].length > CHANGE_SHOWN_MAX ? `${[...first].slice(0, RECEIPT_PREVIEW_CHARS).join('')}…` : first}${awards.length > 1 ? ` 等${awards.length}项` : ''}`;
      return [joined(`实际参与${shown(form, values, 'actualParticipants')}`, `经费支出${shown(form, values, 'expenditure')}`), `获奖情况：${short}`];
    }
    case 'progress':
      return [joined(`进度编号 #${stored.id}`, shown(form, values, 'date'), values.participants !== undefined && `累计${shown(form, values, 'participants')}`), textFact(form, values, 'content')!];
    case 'report':
      return form.fields.map((f) => textFact(form, values, f.key)).filter((l): l is string => l !== undefined);
  }
}

/** "参与人数 120人→150人" for each field a re-filing changed; a long value or text (or one in `named`) is only named. */
function changedFields(form: FormDef, before: FormValues, after: FormValues, named: string[] = []): string[] {
  const out: string[] = [];
  for (const f of form.fields) {
    if (f.type === 'planRef') continue;
    // A yes/no left empty is stored as no: not a change.
    const [was, is] = f.type === 'boolean' ? [Boolean(before[f.key]), Boolean(after[f.key])] : [before[f.key], after[f.key]];
    const [a, b] = [formatValue(f, was), formatValue(f, is)];
    if (a === b) continue;
    out.push(f.type === 'longtext' || named.includes(f.key) || [...a].length + [...b].length > CHANGE_SHOWN_MAX ? f.label : `${f.label} ${a}→${b}`);
  }
  return out;
}

// ---- storage, one function per form, each inside the caller's transaction ----

function store(tx: Tx, form: FormName, filer: Filer, v: FormValues, plan: Plan | null, late: boolean, at: Date): Promise<Stored> {
  switch (form) {
    case 'plan':
      return storePlan(tx, filer, v, late, at);
    case 'progress':
      return storeProgress(tx, filer, v, plan!, at);
    case 'summary':
      return storeSummary(tx, filer, v, plan!, late, at);
    case 'report':
      return storeReport(tx, filer, v, late, at);
  }
}

// Raw statements on the filing path (a plan's list, insert and revision): see store/raw-rows.ts.
async function revision(tx: Tx, filer: Filer, entity: string, entityId: number, version: number, previous: object | null, next: object, at: Date) {
  // An admin's correction on the unit's behalf (after "/plan 编辑 N") is marked as such.
  const action = filer.editing ? 'admin-edit' : previous ? 'update' : 'create';
  await sql(tx)`
    INSERT INTO "Revision" ("entity", "entityId", "action", "version", "actorPlatform", "actorUserId", "actorName", "sourceMessageId", "previousValues", "newValues", "createdAt")
    VALUES (${entity}, ${entityId}, ${action}, ${version}, ${filer.actor.platform}, ${filer.actor.userId}, ${filer.actor.userName},
      ${filer.actor.eventId ?? null}, ${previous ? JSON.stringify(previous) : null}, ${JSON.stringify(next)}, ${at})`;
}

type PlanData = Pick<Plan, 'enterpriseName' | 'project' | 'organizer' | 'participants' | 'participantsText' | 'startDate' | 'endDate' | 'periodText' | 'type' | 'keyProject' | 'keyProjectId' | 'budgetFen' | 'distinctParticipants'>;

/** A new plan (version 1); its id. */
async function insertPlan(tx: Tx, scope: { campaignId: number; unitId: number }, d: PlanData, late: boolean, filedBy: string, at: Date): Promise<number> {
  // updatedAt is the wall clock, as Prisma's @updatedAt stamps it: the standings' change window
  // (filing-counts.ts) compares these stamps with each other.
  const [row] = await sql(tx)<{ id: number }>`
    INSERT INTO "Plan" ("campaignId", "unitId", "enterpriseName", "project", "organizer", "participants", "participantsText", "startDate", "endDate", "periodText",
      "distinctParticipants", "type", "keyProject", "keyProjectId", "budgetFen", "late", "version", "filedBy", "filedAt", "updatedAt")
    VALUES (${scope.campaignId}, ${scope.unitId}, ${d.enterpriseName}, ${d.project}, ${d.organizer}, ${d.participants}, ${d.participantsText}, ${d.startDate}, ${d.endDate}, ${d.periodText},
      ${d.distinctParticipants}, ${d.type}, ${d.keyProject}, ${d.keyProjectId}, ${d.budgetFen === null ? null : BigInt(d.budgetFen)}, ${late}, 1, ${filedBy}, ${at}, ${new Date()})
    RETURNING "id"`;
  return Number(row.id);
}

function same(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return Object.keys(b).every((k) => a[k] === b[k]);
}

function pick<T extends object>(row: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Partial<T>;
}

/** A stored plan in the form's shape (to compare, or to prefill a form); its key project by name when loaded. */
export function planValues(p: Plan & { keyProjectRef?: { name: string } | null }): FormValues {
  return {
    enterpriseName: p.enterpriseName, project: p.project, organizer: p.organizer,
    participants: { count: p.participants, ...(p.participantsText ? { text: p.participantsText } : {}) } satisfies Headcount,
    period: { start: p.startDate, end: p.endDate, ...(p.periodText ? { text: p.periodText } : {}) } satisfies DateRange,
    type: p.type, keyProject: p.keyProjectRef ? { id: p.keyProjectId!, name: p.keyProjectRef.name } : p.keyProject, budget: p.budgetFen ?? undefined,
    ...(p.distinctParticipants ? { distinctParticipants: true } : {}),
  };
}

/** A stored summary (of `plan`) in the form's shape. */
export function summaryValues(plan: Plan, s: { actualParticipants: number; expenditureFen: number; awards: string } | null): FormValues {
  return { plan: { id: plan.id }, ...(s ? { actualParticipants: s.actualParticipants, expenditure: s.expenditureFen, awards: parseAwards(s.awards) } : {}) };
}

/** Thrown inside the transaction when a change would give a plan the name of another plan of the unit. */
class PlanNameTaken extends Error {
  constructor(readonly other: { id: number; project: string }) {
    super(`plan name taken by #${other.id}`);
  }
}

async function storePlan(tx: Tx, filer: Filer, v: FormValues, late: boolean, at: Date): Promise<Stored> {
  const period = v.period as DateRange;
  const participants = v.participants as Headcount;
  const data = {
    enterpriseName: v.enterpriseName as string, project: v.project as string, organizer: v.organizer as string,
    participants: participants.count, participantsText: participants.text ?? null,
    startDate: period.start, endDate: period.end, periodText: period.text ?? null, type: v.type as string,
    keyProject: v.keyProject !== false, keyProjectId: typeof v.keyProject === 'object' ? (v.keyProject as { id: number }).id : null,
    budgetFen: (v.budget as number | undefined) ?? null,
    distinctParticipants: (v.distinctParticipants as boolean | undefined) ?? false,
  };
  const scope = { campaignId: filer.campaign.id, unitId: filer.unit.id };
  // Only what telling plans apart needs: a unit may have dozens, and the whole row is read below for
  // the one being revised.
  const unitPlans = await sql(tx)<{ id: number; project: string; enterpriseName: string; withdrawnAt: Date | null }>`
    SELECT "id", "project", "enterpriseName", "withdrawnAt" FROM "Plan" WHERE "campaignId" = ${scope.campaignId} AND "unitId" = ${scope.unitId} ORDER BY "id"`;
  const exact = unitPlans.find((p) => p.project === data.project);
  let match = filer.editing ? unitPlans.find((p) => p.id === filer.editing!.id) ?? filer.editing : undefined;
  let sameAs: Stored['sameAs'];
  if (filer.editing && exact && exact.id !== filer.editing.id) throw new PlanNameTaken(exact);
  const key = planKey(data.project);
  if (!match) {
    // The same competition typed with other quotes, spaces or width is that plan, not a new one — for
    // the same enterprise (a street union files the "same" 安康杯 for several). An active plan wins
    // over a withdrawn one.
    const twin = (active: boolean) => unitPlans.find((p) => p.project !== data.project && planKey(p.project) === key && p.enterpriseName === data.enterpriseName && (p.withdrawnAt === null) === active);
    match = exact && !exact.withdrawnAt ? exact : twin(true) ?? exact ?? twin(false);
    if (match) {
      if (match.project !== data.project) {
        sameAs = { id: match.id, project: match.project };
        // Kept as first written: the table should not change its spelling with every re-typing.
        data.project = match.project;
      }
    } else {
      const row = { id: await insertPlan(tx, scope, data, late, filer.actor.userName, at) };
      await revision(tx, filer, 'plan', row.id, 1, null, data, at);
      const like = unitPlans.find((p) => !p.withdrawnAt && (planKey(p.project) === key || looksAlike(planKey(p.project), key)));
      return { entity: 'plan', id: row.id, version: 1, late, changed: true, filedAt: at, ...(like ? { similar: { id: like.id, project: like.project } } : {}) };
    }
  }
  // The row as it is now (under the unit's lock), with its key project's name for the receipt's list of changes.
  const existing = await tx.plan.findUniqueOrThrow({ where: { id: match.id }, include: { keyProjectRef: { select: { name: true } } } });
  const restored = existing.withdrawnAt !== null;
  const previous = pick(existing, Object.keys(data) as (keyof Plan)[]);
  if (same(previous, data) && !restored) return { entity: 'plan', id: existing.id, version: existing.version, late: existing.late, changed: false, filedAt: existing.filedAt, ...(sameAs ? { sameAs } : {}) };
  const row = await tx.plan.update({ where: { id: existing.id }, data: { ...data, withdrawnAt: null, version: { increment: 1 }, filedBy: filer.actor.userName }, select: { id: true, version: true } });
  await revision(tx, filer, 'plan', row.id, row.version, restored ? { ...previous, withdrawn: true } : previous, restored ? { ...data, withdrawn: false } : data, at);
  return { entity: 'plan', id: row.id, version: row.version, late: existing.late, changed: true, filedAt: existing.filedAt, before: planValues(existing), ...(sameAs ? { sameAs } : {}), ...(restored ? { restored } : {}) };
}

async function storeProgress(tx: Tx, filer: Filer, v: FormValues, plan: Plan, at: Date): Promise<Stored> {
  const data = { date: v.date as string, content: v.content as string, participants: (v.participants as number | undefined) ?? null };
  const row = await tx.progressUpdate.create({ data: { ...data, planId: plan.id, filedBy: filer.actor.userName, filedAt: at } });
  await revision(tx, filer, 'progress', row.id, 1, null, { planId: plan.id, ...data }, at);
  return { entity: 'progress', id: row.id, version: 1, late: false, changed: true, filedAt: at, planId: plan.id };
}

async function storeSummary(tx: Tx, filer: Filer, v: FormValues, plan: Plan, late: boolean, at: Date): Promise<Stored> {
  const awards = v.awards as Award[];
  const data = {
    actualParticipants: v.actualParticipants as number, expenditureFen: v.expenditure as number,
    awards: JSON.stringify(awards), awardLevel: highestLevel(awards),
  };
  const existing = await tx.summary.findUnique({ where: { planId: plan.id } });
  if (!existing) {
    const row = await tx.summary.create({ data: { ...data, planId: plan.id, late, filedBy: filer.actor.userName, filedAt: at } });
    await revision(tx, filer, 'summary', row.id, 1, null, { planId: plan.id, ...data }, at);
    return { entity: 'summary', id: row.id, version: 1, late, changed: true, filedAt: at, planId: plan.id };
  }
  const previous = pick(existing, Object.keys(data) as (keyof typeof existing)[]);
  if (same(previous, data)) return { entity: 'summary', id: existing.id, version: existing.version, late: existing.late, changed: false, filedAt: existing.filedAt };
  const row = await tx.summary.update({ where: { id: existing.id }, data: { ...data, version: { increment: 1 }, filedBy: filer.actor.userName } });
  await revision(tx, filer, 'summary', row.id, row.version, previous, data, at);
  const before: FormValues = { actualParticipants: existing.actualParticipants, expenditure: existing.expenditureFen, awards: parseAwards(existing.awards) };
  return { entity: 'summary', id: row.id, version: row.version, late: existing.late, changed: true, filedAt: existing.filedAt, planId: plan.id, before };
}

async function storeReport(tx: Tx, filer: Filer, v: FormValues, late: boolean, at: Date): Promise<Stored> {
  const data = { experiences: v.experiences as string, problems: v.problems as string, suggestions: v.suggestions as string };
  const key = { campaignId: filer.campaign.id, unitId: filer.unit.id };
  const existing = await tx.yearReport.findUnique({ where: { campaignId_unitId: key } });
  if (!existing) {
    const row = await tx.yearReport.create({ data: { ...key, ...data, late, filedBy: filer.actor.userName, filedAt: at } });
    await revision(tx, filer, 'report', row.id, 1, null, data, at);
    return { entity: 'report', id: row.id, version: 1, late, changed: true, filedAt: at };
  }
  const previous = pick(existing, Object.keys(data) as (keyof typeof existing)[]);
  // Sending a withdrawn report again brings it back (as with a plan).
  const restored = existing.withdrawnAt !== null;
  if (same(previous, data) && !restored) return { entity: 'report', id: existing.id, version: existing.version, late: existing.late, changed: false, filedAt: existing.filedAt };
  const row = await tx.yearReport.update({ where: { id: existing.id }, data: { ...data, withdrawnAt: null, version: { increment: 1 }, filedBy: filer.actor.userName } });
  await revision(tx, filer, 'report', row.id, row.version, restored ? { ...previous, withdrawn: true } : previous, restored ? { ...data, withdrawn: false } : data, at);
  return { entity: 'report', id: row.id, version: row.version, late: existing.late, changed: true, filedAt: existing.filedAt, before: { ...previous }, ...(restored ? { restored } : {}) };
}
