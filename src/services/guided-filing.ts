// Guided filing: for people who would rather answer questions than copy a template. The bot asks
// one field at a time, in that chat and for that person only, checks every answer with the form's
// own field definition, and files nothing until the person confirms a summary. State lives in Redis
// with a time limit, so an abandoned session simply expires.
//
// Started by "/填表 计划" (进度/总结/年报) or "/plan 逐项". While a session is open, that person's
// messages in that chat are answers, except /commands and filled templates, which pass through.
// It is one step of the bot's pipeline (src/bot.ts), so every platform has it; the pipeline has
// already claimed the event.
// Answers: "上一步" goes back, "跳过" leaves an optional field empty (or keeps an earlier answer),
// "取消" ends the session, "确认" files.
import type { Redis } from 'ioredis';
import type { App } from '../core/app.js';
import type { IncomingMessage, Reply, UserRef } from '../core/messages.js';
import { text, toSender } from '../core/messages.js';
import { parseCommandLine } from '../commands/registry.js';
import { FORMS } from '../forms/index.js';
import type { FieldDef, FormDef, FormName, KeyProjectValue } from '../forms/types.js';
import { coerceField, type PlanRef } from '../forms/validate.js';
import { formatValue } from '../forms/display.js';
import { latestCampaign } from './campaigns.js';
import { notRegisteredText } from './members.js';
import type { Turn } from './turn.js';
import { submitFiling } from './filings.js';
import { keyProjectNames, resolveKeyProject } from './key-projects.js';
import { NO_CAMPAIGN } from '../core/wording.js';
import type { Seen } from '../bot.js';

export const GUIDED_TTL_SECONDS = 30 * 60;
/** Everyday replies that are not an answer, made only of words like "稍等", "我问一下", "好的", "收到". */
const CHATTER = /^(?:(?:稍等|等一?下|等等|我|去|先|问一?下|问问|查一?下|查查|领导|好的?|收到|了|嗯|哦|ok|马上|一会儿?|回头|再说|吧|啊)[，,。.!！~～…\s]*)+$/i;

/** How long after a session timed out the person's next message still hears that it did. */
const EXPIRY_NOTICE_SECONDS = 24 * 3600;

const START_WORDS = ['填表', '逐项填写', 'fill'];
/** The word people type after /填表 for each form ("/填表 进度"). */
export const GUIDED_WORD: Record<FormName, string> = { plan: '计划', progress: '进度', summary: '总结', report: '年报' };
const STEP_WORDS = ['逐项', '一问一答', '逐项填写'];
const FORM_WORDS: Record<string, FormName> = {
  计划: 'plan', 竞赛计划: 'plan', plan: 'plan',
  进度: 'progress', 竞赛进度: 'progress', progress: 'progress',
  总结: 'summary', 竞赛总结: 'summary', summary: 'summary',
  年报: 'report', 年度报告: 'report', report: 'report',
};
const BACK = ['上一步', '上一项', '返回'];
const SKIP = ['跳过'];
const CANCEL = ['取消', '退出', '不填了'];
const CONFIRM = ['确认', '确定', '提交'];

interface GuidedState {
  form: FormName;
  /** Index of the field being asked; fields.length means the summary is waiting for "确认". */
  step: number;
  raw: Record<string, string>;
  /** "#12 项目名" lines for plan-number questions. */
  plans?: string[];
  /** The campaign's designated key projects, for the 重点项目 question (empty: 是/否), and those withdrawn. */
  keyProjects?: { id: number; name: string }[];
  withdrawnKeyProjects?: { id: number; name: string }[];
  year: number;
}

type Start = { form: FormName } | { unknown: string };

function parseStart(body: string, addressed: boolean): Start | null {
  const cmd = parseCommandLine(body);
  if (!cmd || (!cmd.slash && !addressed)) return null;
  const word = cmd.word.toLowerCase();
  if (START_WORDS.includes(word)) {
    const what = cmd.args[0] ?? '';
    return FORM_WORDS[what.toLowerCase()] ? { form: FORM_WORDS[what.toLowerCase()] } : { unknown: what };
  }
  if (FORM_WORDS[word] && cmd.args.some((a) => STEP_WORDS.includes(a))) return { form: FORM_WORDS[word] };
  return null;
}

const is = (answer: string, words: string[]) => words.includes(answer.replace(/[。.!！\s]/g, ''));

/** Session state in Redis cannot be read or written right now. */
class StateUnavailable extends Error {}

export class GuidedFiling {
  constructor(private readonly app: App, private readonly redis: Redis, private readonly ttlSeconds = GUIDED_TTL_SECONDS) {}

  /** Replies when the message starts or answers a guided session, null when it is none of ours. */
  async handle(msg: IncomingMessage, seen: Seen): Promise<Reply[] | null> {
    try {
      return await this.step(msg, seen);
    } catch (err) {
      if (!(err instanceof StateUnavailable)) throw err;
      // Redis (where sessions live) is down: a session cannot be started or continued, but the
      // message must still be answered; everything else the bot does goes on without it.
      this.app.log.warn({ err: err.message }, 'guided filing unavailable: session state cannot be read');
      const start = parseStart(msg.text.trim(), msg.chatType === 'p2p' || Boolean(msg.mentionsBot));
      if (!start || 'unknown' in start) return null;
      const who: UserRef[] = msg.chatType === 'group' ? [{ userId: msg.userId, userName: msg.userName }] : [];
      return [text(`逐项填写暂时用不了（服务正在恢复），请稍后再试；也可以现在发送“/模板 ${GUIDED_WORD[start.form]}”，按模板填好发回来。`, who)];
    }
  }

  private async step(msg: IncomingMessage, seen: Seen): Promise<Reply[] | null> {
    const body = msg.text.trim();
    const start = parseStart(body, msg.chatType === 'p2p' || Boolean(msg.mentionsBot));
    // Commands and filled templates pass through an open session.
    if (!start && (!body || /^[/／]/.test(body) || seen.template)) return null;
    // In a group, a message that @mentions someone other than the bot is said to them, not an answer.
    if (!start && msg.chatType === 'group' && !msg.mentionsBot && (msg.mentions.length || msg.mentionsAmbiguous || msg.mentionsUnresolved)) return null;
    const state = start ? null : await this.load(msg);
    const who: UserRef[] = msg.chatType === 'group' ? [{ userId: msg.userId, userName: msg.userName }] : [];
    if (!start && !state) {
      // A session that timed out: the next message is probably an answer to it. Say so, once.
      const expired = await this.kv(() => this.redis.getdel(this.expiryKey(msg)));
      if (!expired) return null;
      const form = FORMS[expired as FormName] ?? null;
      return form ? [text(`您的「${form.title}」逐项填写已超过 ${Math.round(this.ttlSeconds / 60)} 分钟没有回复，已结束，填过的内容没有保存。请重新发送“/填表 ${GUIDED_WORD[form.name]}”。`, who)] : null;
    }
    if (start) {
      if ('unknown' in start) return [text(`请写要填哪张表，例如“/填表 计划”。可选：计划、进度、总结、年报。${start.unknown ? `（没有“${start.unknown}”这张表）` : ''}`, who)];
      return this.begin(msg, seen.turn, start.form, who);
    }
    return this.answer(msg, seen.turn, state!, body, who);
  }

  async ongoing(msg: IncomingMessage): Promise<boolean> {
    // Unknown while Redis is down: the message is then treated as ordinary talk, not an answer.
    return (await this.redis.exists(this.key(msg), this.expiryKey(msg)).catch(() => 0)) > 0;
  }

  /** A Redis command for session state; its failure (Redis down, a timeout) becomes StateUnavailable. */
  private async kv<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new StateUnavailable((err as Error).message);
    }
  }

  /** Outlives the session by a day, so a late answer learns that the session ended (see handle). */
  private expiryKey(msg: IncomingMessage): string {
    return `${this.key(msg)}:ended`;
  }

  private key(msg: IncomingMessage): string {
    return `${this.app.config.redisPrefix}:guided:${msg.platform}:${msg.chatId}:${msg.userId}`;
  }

  private async load(msg: IncomingMessage): Promise<GuidedState | null> {
    const json = await this.kv(() => this.redis.get(this.key(msg)));
    return json ? (JSON.parse(json) as GuidedState) : null;
  }

  private async save(msg: IncomingMessage, state: GuidedState): Promise<void> {
    await this.kv(() => this.redis.multi()
      .set(this.key(msg), JSON.stringify(state), 'EX', this.ttlSeconds)
      .set(this.expiryKey(msg), state.form, 'EX', this.ttlSeconds + EXPIRY_NOTICE_SECONDS)
      .exec());
  }

  /** The session ends (saved, or cancelled): no "timed out" notice afterwards. */
  private async end(msg: IncomingMessage): Promise<void> {
    await this.kv(() => this.redis.del(this.key(msg), this.expiryKey(msg)));
  }

  private async begin(msg: IncomingMessage, turn: Turn, name: FormName, who: UserRef[]): Promise<Reply[]> {
    const form = FORMS[name];
    await turn.touch();
    const member = await turn.member();
    if (member?.unit?.archivedAt) return [text(`您登记的单位「${member.unit.name}」已被管理员删除（归档），暂时不能填报。如有疑问请联系管理员。`, who)];
    if (!member?.unit) return [text(await notRegisteredText(this.app.db, msg, await turn.binding(), `填报${form.title}`), who)];
    const campaign = (await turn.binding())?.campaign ?? (await latestCampaign(this.app.db, member.unit.id));
    if (!campaign) return [text(NO_CAMPAIGN, who)];
    const state: GuidedState = { form: name, step: 0, raw: {}, year: campaign.year };
    if (form.fields.some((f) => f.type === 'planRef')) {
      const plans = await this.app.db.plan.findMany({ where: { campaignId: campaign.id, unitId: member.unit.id, withdrawnAt: null }, orderBy: { id: 'asc' }, select: { id: true, project: true } });
      if (!plans.length) return [text(`${member.unit.name}在${campaign.year}年度还没有备案计划，请先发送“/填表 计划”备案，再填${form.title}。`, who)];
      state.plans = plans.map((p) => `#${p.id} ${p.project}`);
    }
    if (form.fields.some((f) => f.type === 'keyProjectRef')) {
      const names = await keyProjectNames(this.app.db, campaign.id);
      state.keyProjects = names.active;
      state.withdrawnKeyProjects = names.withdrawn;
    }
    const replaced = await this.load(msg);
    await this.save(msg, state);
    const intro = `${replaced ? `之前未完成的${FORMS[replaced.form].title}已放弃。\n` : ''}开始逐项填写【${form.title}】，共 ${form.fields.length} 项。每次回复一项；回复“上一步”返回，“取消”放弃。`;
    return [text(`${intro}\n\n${this.question(form, state)}`, who)];
  }

  private async answer(msg: IncomingMessage, turn: Turn, state: GuidedState, body: string, who: UserRef[]): Promise<Reply[]> {
    const form = FORMS[state.form];
    const say = async (t: string) => {
      await this.save(msg, state);
      return [text(t, who)];
    };
    if (is(body, CANCEL)) {
      await this.end(msg);
      return [text(`已取消${form.title}的逐项填写，没有保存任何内容。`, who)];
    }
    if (is(body, BACK)) {
      if (state.step === 0) return say(`已经是第一项了。\n${this.question(form, state)}`);
      state.step -= 1;
      return say(this.question(form, state));
    }
    if (state.step >= form.fields.length) {
      if (!is(body, CONFIRM)) return say(`请回复“确认”保存；要修改请回复“上一步”，放弃请回复“取消”。`);
      const { replies } = await submitFiling(this.app, { ...msg, form: form.name, raw: state.raw, via: 'template', turn });
      // Stored, or rejected with a corrected template to send back: either way the session is over.
      await this.end(msg);
      return toSender(replies, msg);
    }
    const field = form.fields[state.step];
    if (is(body, SKIP)) {
      if (field.required && !state.raw[field.key]) return say(`「${field.label}」是必填项，不能跳过。\n${this.question(form, state)}`);
      if (!field.required && !state.raw[field.key]) delete state.raw[field.key];
      return say(this.advance(form, state));
    }
    // People often answer "企业名称：某某公司"; the label is not part of the value.
    const value = body.replace(new RegExp(`^${field.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:：]\\s*`), '').trim();
    // "稍等，我问一下" while someone finds the answer out is not the answer (it would be stored as a name).
    if (CHATTER.test(value)) return say(`好的，问清楚后再回复「${field.label}」即可。要结束请回复“取消”。`);
    const checked = coerceField(field, value, { defaultYear: state.year });
    if (!checked.ok) return say(`「${field.label}」${checked.message}。请重新回复。\n${this.question(form, state)}`);
    if (field.type === 'planRef') {
      const ref = checked.value as PlanRef;
      const known = state.plans ?? [];
      const hit = known.find((p) => ('id' in ref ? p.startsWith(`#${ref.id} `) : p.endsWith(` ${ref.project}`)));
      if (!hit) return say(`本单位没有这项计划。请回复计划编号（# 后面的数字）。\n${this.question(form, state)}`);
    }
    if (field.type === 'keyProjectRef') {
      // Checked against the list now, so a misspelt project is asked again here, not after 确认.
      const resolved = resolveKeyProject(checked.value as KeyProjectValue, state.keyProjects ?? [], state.withdrawnKeyProjects ?? []);
      if (!resolved.ok) return say(`「${field.label}」${resolved.message}。请重新回复。\n${this.question(form, state)}`);
      if (typeof resolved.value === 'object') {
        state.raw[field.key] = resolved.value.name;
        return say(this.advance(form, state));
      }
    }
    state.raw[field.key] = value;
    return say(this.advance(form, state));
  }

  private advance(form: FormDef, state: GuidedState): string {
    state.step += 1;
    return state.step < form.fields.length ? this.question(form, state) : this.summary(form, state);
  }

  private question(form: FormDef, state: GuidedState): string {
    const field = form.fields[state.step];
    const lines = [`（第 ${state.step + 1}/${form.fields.length} 项）请回复「${field.label}」（${field.required ? '必填' : '选填，不填请回复“跳过”'}）`];
    lines.push(...this.hints(field, state));
    if (state.raw[field.key]) lines.push(`已填：${state.raw[field.key]}（回复新内容修改，回复“跳过”保留）`);
    return lines.join('\n');
  }

  private hints(field: FieldDef, state: GuidedState): string[] {
    if (field.type === 'planRef') return [`本单位的计划：${(state.plans ?? []).join('；')}`, '回复编号即可，例如：' + (state.plans?.[0]?.match(/^#(\d+)/)?.[1] ?? '1')];
    if (field.options) return [`可选：${field.options.map((o) => o.label).join('、')}`];
    if (field.type === 'boolean') return ['请回复“是”或“否”'];
    if (field.type === 'keyProjectRef' && state.keyProjects?.length) return [`本年度重点项目：${state.keyProjects.map((p) => p.name).join('；')}`, '是其中之一请回复名称，不是请回复“否”'];
    if (field.type === 'keyProjectRef') return ['请回复“是”或“否”'];
    return [...(field.example ? [`例如：${field.example}`] : []), ...(field.hint ? [field.hint] : [])];
  }

  private summary(form: FormDef, state: GuidedState): string {
    const lines = [`请核对【${form.title}】：`];
    for (const field of form.fields) {
      const raw = state.raw[field.key];
      const checked = raw ? coerceField(field, raw, { defaultYear: state.year }) : null;
      lines.push(`${field.label}：${checked?.ok ? formatValue(field, checked.value) : raw ?? '（未填）'}`);
    }
    lines.push('', '无误请回复“确认”保存；要修改请回复“上一步”；放弃请回复“取消”。');
    return lines.join('\n');
  }
}
