// Forms as Lark cards: /plan in a group sends the card to the asker's private chat (one line in the
// group), a submit files the plan, turns the card into a receipt that stays there and tells the group
// in one line, a bad submit keeps the values and shows the errors, a redelivered submit is handled
// once, a slow one is updated after the answer (or the receipt sent privately), and an old client
// gets the text template. The fake server refuses what Lark refuses (test/support/fake-lark.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, BOT, EAST, LARK_GROUP, WEST, setUpLarkDistrict, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { formSubmit, LARK_USER_AGENTS, textMessage } from './support/lark-payloads.js';
import { renderFormCard } from '../src/platforms/lark/lark-cards.js';
import { FORMS } from '../src/forms/index.js';
import { formReply } from '../src/services/form-reply.js';

let t: LarkTestBot;
beforeEach(async () => {
  t = await startLarkBot();
  t.bot.setNow('2027-02-10T10:00:00+08:00');
  await setUpLarkDistrict(t);
});
afterEach(async () => t.close());

type Card = { schema: string; header: { title: { content: string } }; body: { elements: any[] } };

/** Every element of a card, forms flattened. */
function elementsOf(card: Card): any[] {
  return card.body.elements.flatMap((e) => (e.tag === 'form' ? [e, ...e.elements] : [e]));
}

function submitValue(card: Card): unknown {
  const button = elementsOf(card).find((e) => e.tag === 'button' && e.form_action_type === 'submit');
  return button.behaviors[0].value;
}

/** The form card sent privately to `who` (the last one). */
function privateCard(who = EAST): Card | undefined {
  return t.fake.messages.filter((m) => m.via === 'create' && m.msgType === 'interactive' && m.to === who.openId).at(-1)?.content as Card | undefined;
}

async function planCard(): Promise<Card> {
  await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
  const card = privateCard();
  expect(card, 'the form goes to the asker\'s private chat').toBeTruthy();
  return card!;
}

/** What the bot posted for everyone in the group (not replies to a message). */
const groupPosts = () => t.fake.messages.filter((m) => m.via === 'create' && m.to === LARK_GROUP).map((m) => m.content.text as string);

const goodPlan = {
  enterpriseName: '东城建设集团有限公司', project: '快速路“五比一创”劳动竞赛', organizer: '工会与项目部联合组织',
  participants: '320', period_start: '2027-03-01 +0800', period_end: '2027-10-31 +0800', type: '五比一创', keyProject: '是', budget: '80000',
};

describe('form cards', () => {
  it('render every form with uniquely named inputs, one submit button, under 30 KB', () => {
    for (const form of Object.values(FORMS)) {
      const card = renderFormCard(formReply(form, { planOptions: [{ value: '1', label: '#1 示例竞赛' }] }), { saiwu: 'form', form: form.name, chat_id: LARK_GROUP, chat_type: 'group', user_id: EAST.openId, user_name: EAST.name }) as unknown as Card;
      const forms = card.body.elements.filter((e) => e.tag === 'form');
      expect(forms).toHaveLength(1);
      const interactive = forms[0].elements.filter((e: any) => ['input', 'select_static', 'date_picker', 'button'].includes(e.tag));
      const names = interactive.map((e: any) => e.name);
      // Lark drops a form whose components lack unique names (client error 200530).
      expect(names.every((n: string) => typeof n === 'string' && n.length > 0)).toBe(true);
      expect(new Set(names).size).toBe(names.length);
      expect(interactive.filter((e: any) => e.form_action_type === 'submit')).toHaveLength(1);
      for (const input of interactive.filter((e: any) => e.tag === 'input')) expect(input.max_length).toBeLessThanOrEqual(1000);
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30_000);
    }
    // The plan's 重点项目 offers the campaign's designated key projects as a select.
    const withProjects = renderFormCard(formReply(FORMS.plan, { keyProjectOptions: [{ value: '否', label: '否（不是重点项目）' }, { value: '地铁3号线', label: '地铁3号线' }] }), { saiwu: 'form', form: 'plan', chat_id: LARK_GROUP, chat_type: 'group', user_id: '', user_name: '' }) as unknown as Card;
    const keySelect = elementsOf(withProjects).find((e) => e.name === 'keyProject');
    expect(keySelect?.tag).toBe('select_static');
    expect(keySelect.options.map((o: any) => o.value)).toEqual(['否', '地铁3号线']);
    // The year-end report's long answers: multi-line inputs and a pointer to the text template.
    const report = JSON.stringify(renderFormCard(formReply(FORMS.report), { saiwu: 'form', form: 'report', chat_id: LARK_GROUP, chat_type: 'group', user_id: '', user_name: '' }));
    expect(report).toContain('multiline_text');
    expect(report).toContain('【年度报告】');
  });
});

describe('Lark card forms', () => {
  it('sends /plan from a group to the asker\'s private chat, as a 2.0 card built from the form definition, with one line in the group', async () => {
    const card = await planCard();
    // No card in the group; one line there says where the form went.
    expect(t.fake.messages.filter((m) => m.via === 'ephemeral')).toEqual([]);
    const inGroup = t.fake.messages.filter((m) => m.to !== EAST.openId);
    expect(inGroup.map((m) => [m.via, m.msgType])).toEqual([['reply', 'text']]);
    expect(inGroup[0].content.text).toBe(`<at user_id="${EAST.openId}">${EAST.name}</at> 已私信发送「竞赛计划」表单，请在与赛务助手的单聊中填写提交。`);
    expect(card.schema).toBe('2.0');
    const els = elementsOf(card);
    const byName = (n: string) => els.find((e) => e.name === n);
    expect(byName('enterpriseName').tag).toBe('input');
    expect(byName('participants').tag).toBe('input');
    expect(byName('period_start').tag).toBe('date_picker');
    expect(byName('period_end').tag).toBe('date_picker');
    expect(byName('type').tag).toBe('select_static');
    expect(byName('type').options.map((o: any) => o.text.content)).toContain('五比一创');
    expect(byName('keyProject').options.map((o: any) => o.value)).toEqual(['是', '否']);
    expect(byName('budget').required).toBe(false);
    expect(submitValue(card)).toMatchObject({ form: 'plan', chat_id: LARK_GROUP, user_id: EAST.openId, user_name: EAST.name });
  });

  it('files a plan submitted through the card, with Lark date-picker values, and answers with a receipt card', async () => {
    const card = await planCard();
    const answer = await t.submit(EAST, submitValue(card), goodPlan);
    expect(answer.toast).toEqual({ type: 'success', content: '竞赛计划已提交' });
    expect(answer.card.type).toBe('raw');
    const receipt = answer.card.data as Card;
    expect(receipt.schema).toBe('2.0');
    expect(receipt.header.title.content).toBe('竞赛计划已提交');
    const receiptText = JSON.stringify(receipt);
    expect(receiptText).toMatch(/竞赛计划已收到：计划编号 #\d+/);
    expect(receiptText).toContain('2027年3月1日至2027年10月31日');
    // The receipt is read-only.
    expect(elementsOf(receipt).some((e) => e.tag === 'form' || e.tag === 'button' || e.tag === 'input')).toBe(false);

    const plans = await t.bot.app.db.plan.findMany();
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ project: '快速路“五比一创”劳动竞赛', participants: 320, startDate: '2027-03-01', endDate: '2027-10-31', keyProject: true, budgetFen: 8_000_000, filedBy: EAST.name });
    // The group, which saw only "已私信发送", is told in one public line; the receipt stays private.
    await t.lark.idle();
    expect(groupPosts()).toEqual([`✅ 东城街道工会 已提交竞赛计划 #${plans[0].id}`]);
    // The same card submitted again with the same values changes nothing and tells nobody.
    await t.submit(EAST, submitValue(card), goodPlan);
    await t.lark.idle();
    expect(groupPosts()).toHaveLength(1);
  });

  it('keeps the entered values and shows the errors when a submit is invalid', async () => {
    const card = await planCard();
    const answer = await t.submit(EAST, submitValue(card), { ...goodPlan, participants: '很多人', period_start: '2027-10-31 +0800', period_end: '2027-03-01 +0800' });
    expect(answer.toast.type).toBe('error');
    expect(answer.toast.content).toContain('2 处需要修改');
    const again = answer.card.data as Card;
    const els = elementsOf(again);
    const byName = (n: string) => els.find((e) => e.name === n);
    // Values kept, in the form Lark's components take them.
    expect(byName('enterpriseName').default_value).toBe('东城建设集团有限公司');
    expect(byName('participants').default_value).toBe('很多人');
    expect(byName('type').initial_option).toBe('五比一创');
    expect(byName('period_start').initial_date).toBe('2027-10-31');
    expect(byName('period_end').initial_date).toBe('2027-03-01');
    // Each error sits under its field, in words a person can act on.
    const text = JSON.stringify(again);
    expect(text).toContain('请填写一个整数');
    expect(text).toContain('早于开始时间');
    expect(submitValue(again)).toMatchObject({ form: 'plan', chat_id: LARK_GROUP });
    expect(await t.bot.app.db.plan.count()).toBe(0);

    // Corrected and resubmitted from the error card: filed.
    const fixed = await t.submit(EAST, submitValue(again), goodPlan);
    expect(fixed.toast.type).toBe('success');
    expect(await t.bot.app.db.plan.count()).toBe(1);
  });

  it('handles a redelivered submit once', async () => {
    const card = await planCard();
    const first = await t.submit(EAST, submitValue(card), goodPlan, { eventId: 'f2d1c0b9a8e7d6c5b4a3' });
    await t.submit(EAST, submitValue(card), goodPlan);
    expect(await t.bot.app.db.plan.count()).toBe(1);
    // Same plan filed twice through two clicks: the second is "no change", not a second plan.
    const again = await t.submit(EAST, submitValue(card), goodPlan, { eventId: 'f2d1c0b9a8e7d6c5b4a3' });
    expect(again).toEqual(first);
    const revisions = await t.bot.app.db.revision.count({ where: { entity: 'plan' } });
    expect(revisions).toBe(1);
  });

  it('files progress through a card whose plan is picked from a list, with a "+0800" date', async () => {
    const plan = await t.submit(EAST, submitValue(await planCard()), goodPlan);
    const planId = JSON.stringify(plan.card.data).match(/计划编号 #(\d+)/)![1];
    t.fake.messages.length = 0;
    await t.say(EAST, '@_user_1 /progress', { mentions: [BOT] });
    const card = privateCard()!;
    const picker = elementsOf(card).find((e) => e.name === 'plan');
    expect(picker.tag).toBe('select_static');
    expect(picker.options).toEqual([{ text: { tag: 'plain_text', content: `#${planId} 快速路“五比一创”劳动竞赛` }, value: planId }]);
    t.bot.setNow('2027-05-21T09:00:00+08:00');
    const answer = await t.submit(EAST, submitValue(card), { plan: planId, date: '2027-05-20 +0800', content: '第二阶段比武结束', participants: '280' });
    expect(answer.toast.type).toBe('success');
    const rows = await t.bot.app.db.progressUpdate.findMany();
    expect(rows).toMatchObject([{ planId: Number(planId), date: '2027-05-20', content: '第二阶段比武结束', participants: 280 }]);

    // A double click on the same card is a second Lark event; it must not file the update twice.
    const doubleClick = await t.submit(EAST, submitValue(card), { plan: planId, date: '2027-05-20 +0800', content: '第二阶段比武结束', participants: '280' });
    expect(doubleClick.toast.content).toContain('已经处理过了');
    expect(await t.bot.app.db.progressUpdate.count()).toBe(1);

    // A rejected progress submit shows the same plan list again, with the plan still picked.
    t.fake.messages.length = 0;
    await t.say(EAST, '@_user_1 /progress', { mentions: [BOT] });
    const fresh = privateCard()!;
    const bad = await t.submit(EAST, submitValue(fresh), { plan: planId, date: '2027-02-30 +0800', content: '补报' });
    const again = elementsOf(bad.card.data).find((e) => e.name === 'plan');
    expect(again.tag).toBe('select_static');
    expect(again.initial_option).toBe(planId);
    expect(JSON.stringify(bad.card.data)).toContain('不是有效的日期');
  });

  it('offers the latest 50 plans in a card\'s plan picker, so a unit with many plans still gets a card Lark accepts', async () => {
    const db = t.bot.app.db;
    const [unit, campaign] = [await db.unit.findUniqueOrThrow({ where: { name: '东城街道工会' } }), await db.campaign.findFirstOrThrow()];
    for (let i = 1; i <= 70; i++) {
      await db.plan.create({ data: { campaignId: campaign.id, unitId: unit.id, enterpriseName: `东城第${i}建设公司`, project: `快速路第${i}标段“五比一创”劳动竞赛暨技能比武和安全生产竞赛活动`, organizer: '工会与项目部联合组织', participants: 100, startDate: '2027-03-01', endDate: '2027-10-31', type: 'wubiyichuang', filedBy: EAST.name } });
    }
    await t.say(EAST, '@_user_1 /progress', { mentions: [BOT] });
    const card = privateCard()!;
    const picker = elementsOf(card).find((e) => e.name === 'plan');
    expect(picker.options).toHaveLength(50);
    const newest = (await db.plan.findMany({ orderBy: { id: 'desc' }, take: 50 })).map((p) => String(p.id));
    expect(picker.options.map((o: any) => o.value)).toEqual(newest);
    expect(JSON.stringify(card)).toContain('共 70 项');
    expect(JSON.stringify(card)).toContain('/填表 进度');
  });

  it('answers /plan in a private chat with the card itself, in reply', async () => {
    await t.say(EAST, '/plan', { chatType: 'p2p' });
    expect(t.fake.messages.map((m) => [m.via, m.msgType])).toEqual([['reply', 'interactive']]);
    expect(submitValue(t.fake.messages[0].content as Card)).toMatchObject({ form: 'plan', chat_type: 'p2p', user_id: EAST.openId });
  });

  it('explains a refusal that is not about a field above the kept form', async () => {
    // WEST never registered a unit; the card came from a p2p chat.
    await t.say(WEST, '/plan', { chatType: 'p2p' });
    expect(t.fake.texts().join('\n')).toContain('还没有登记所属单位');
    const value = { saiwu: 'form', form: 'plan', chat_id: LARK_GROUP, chat_type: 'group', user_id: WEST.openId, user_name: WEST.name };
    const answer = await t.submit(WEST, value, goodPlan);
    expect(answer.toast.type).toBe('warning');
    const card = answer.card.data as Card;
    expect(JSON.stringify(card)).toContain('还没有登记所属单位');
    expect(elementsOf(card).find((e) => e.name === 'project').default_value).toBe('快速路“五比一创”劳动竞赛');
  });

  it('shows the form in the group to the asker alone when the bot cannot write to them privately (they blocked it)', async () => {
    t.fake.refuseUser(EAST.openId, 230053);
    await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
    expect(privateCard()).toBeUndefined();
    const eph = t.fake.messages.find((m) => m.via === 'ephemeral');
    expect([eph?.to, eph?.openId]).toEqual([LARK_GROUP, EAST.openId]);
    // Submitted from the group, the plan belongs to the group's campaign.
    const answer = await t.submit(EAST, submitValue(eph!.content as Card), goodPlan);
    expect(answer.toast.type).toBe('success');
    expect(await t.bot.app.db.plan.count()).toBe(1);
    // Neither a card nor a private message: the text template in the group, with the values kept.
    t.fake.ephemeralFails = true;
    t.fake.messages.length = 0;
    await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
    expect(t.fake.texts().join('\n')).toContain('【竞赛计划】\n企业名称：');
  });

  it('answers "saving…" within Lark\'s 3 seconds when a submit is slow, then updates the card after that answer', async () => {
    const card = await planCard();
    // Someone other than the asker submits, so the bot looks up the name: make that slow.
    t.fake.contactDelayMs = 3000;
    const started = Date.now();
    const answer = await t.lark.dispatcher.invoke(formSubmit({ from: WEST, chatId: LARK_GROUP, value: submitValue(card), formValue: goodPlan }), { needCheck: false });
    const answeredAt = Date.now();
    expect(answeredAt - started).toBeLessThan(2900);
    expect(answer.toast.type).toBe('info');
    expect(answer.card).toBeUndefined();
    await t.lark.idle();
    // The strict fake takes an update only after the callback was answered, at most twice.
    expect(t.fake.cardUpdates).toHaveLength(1);
    expect(t.fake.cardUpdates[0].token).toMatch(/^c-/);
    // WEST has no unit: the card is updated to say so, with the values kept.
    expect(JSON.stringify(t.fake.cardUpdates[0].card)).toContain('还没有登记所属单位');
  });

  it('sends the receipt privately when the late card update keeps failing', async () => {
    const card = await planCard();
    t.fake.contactDelayMs = 3000;
    t.fake.failNextCardUpdates(2);
    const answer = await t.lark.dispatcher.invoke(formSubmit({ from: WEST, chatId: LARK_GROUP, value: submitValue(card), formValue: goodPlan }), { needCheck: false });
    expect(answer.toast.content).toContain('卡片会自动更新');
    await t.lark.idle();
    expect(t.fake.cardUpdates).toHaveLength(0);
    // Tried twice (after the answer, then once more), then the card goes to WEST's private chat.
    expect(t.fake.requests.filter((r) => r.path === '/open-apis/interactive/v1/card/update')).toHaveLength(2);
    expect(JSON.stringify(privateCard(WEST))).toContain('还没有登记所属单位');
  });

  it('does not announce an admin\'s correction in the group as the unit\'s filing', async () => {
    const filed = await t.submit(EAST, submitValue(await planCard()), goodPlan);
    expect(filed.toast.type).toBe('success');
    const planId = (await t.bot.app.db.plan.findFirstOrThrow()).id;
    await t.lark.idle();
    t.fake.messages.length = 0;
    await t.say(ADMIN, `@_user_1 /plan 编辑 ${planId}`, { mentions: [BOT] });
    const card = privateCard(ADMIN)!;
    const fixed = await t.submit(ADMIN, submitValue(card), { ...goodPlan, participants: '350' });
    expect(fixed.toast.type).toBe('success');
    expect((await t.bot.app.db.plan.findFirstOrThrow()).participants).toBe(350);
    await t.lark.idle();
    expect(groupPosts()).toEqual([]);
  });

  it('with LARK_GROUP_FORMS=ephemeral shows the form in the group to the asker alone, and also sends the receipt privately', async () => {
    await t.close();
    t = await startLarkBot({ LARK_GROUP_FORMS: 'ephemeral' });
    t.bot.setNow('2027-02-10T10:00:00+08:00');
    await setUpLarkDistrict(t);
    await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
    const eph = t.fake.messages.find((m) => m.via === 'ephemeral')!;
    expect([eph.to, eph.openId]).toEqual([LARK_GROUP, EAST.openId]);
    expect(privateCard()).toBeUndefined();
    const answer = await t.submit(EAST, submitValue(eph.content as Card), goodPlan);
    expect(answer.toast.type).toBe('success');
    await t.lark.idle();
    // An ephemeral card is gone once the client closes: the receipt is kept in the private chat too.
    expect(JSON.stringify(privateCard())).toMatch(/竞赛计划已收到：计划编号 #\d+/);
    expect(groupPosts()).toEqual([expect.stringMatching(/^✅ 东城街道工会 已提交竞赛计划 #\d+$/)]);

    // Where an ephemeral card cannot go, the form goes privately — and its receipt replaces it there, once.
    t.fake.ephemeralFails = true;
    t.fake.messages.length = 0;
    await t.say(EAST, '@_user_1 /summary', { mentions: [BOT] });
    const summaryCard = privateCard()!;
    const planId = (await t.bot.app.db.plan.findFirstOrThrow()).id;
    const summary = await t.submit(EAST, submitValue(summaryCard), { plan: String(planId), actualParticipants: '318', expenditure: '45800', awards: '无' });
    expect(summary.toast.type).toBe('success');
    await t.lark.idle();
    expect(t.fake.messages.filter((m) => m.to === EAST.openId && m.msgType === 'interactive')).toHaveLength(1);
    expect(groupPosts()).toEqual([`✅ 东城街道工会 已提交竞赛总结 #${planId}`]);
  });

  it('gives a Feishu older than 7.20 the text template instead of a card, and says why once', async () => {
    const old = (text: string) => t.dispatch(textMessage({ from: EAST, chatId: LARK_GROUP, text, mentions: [BOT], userAgent: LARK_USER_AGENTS.old }));
    await old('@_user_1 /plan');
    expect(t.fake.messages.filter((m) => m.msgType === 'interactive' || m.via === 'ephemeral')).toEqual([]);
    // The template goes privately, as a card would (it may carry the unit's own values); the group gets one line.
    const privately = t.fake.messages.filter((m) => m.to === EAST.openId).map((m) => m.content.text).join('\n');
    expect(privately).toContain('飞书版本低于 7.20');
    expect(privately).toContain('【竞赛计划】\n企业名称：');
    expect(privately).toContain('/填表 计划');
    expect(t.fake.messages.filter((m) => m.to !== EAST.openId).map((m) => m.content.text)).toEqual([expect.stringContaining('已私信发送「竞赛计划」表单')]);
    t.fake.messages.length = 0;
    await old('@_user_1 /plan');
    expect(t.fake.texts().join('\n')).not.toContain('飞书版本低于');
    // A current client in the same group still gets the card.
    t.fake.messages.length = 0;
    await planCard();
  });

  it('runs guided filing (/填表) in Lark too: in a group each answer @mentions the bot, privately none needs to', async () => {
    const said = () => t.fake.texts().join('\n');
    await t.say(EAST, '@_user_1 /填表 年报', { mentions: [BOT] });
    expect(said()).toContain('（第 1/3 项）请回复「主要经验」');
    await t.say(EAST, '@_user_1 以赛促学，班组练兵常态化', { mentions: [BOT] });
    expect(said()).toContain('「存在问题」');
    await t.say(EAST, '@_user_1 部分企业参与面不广', { mentions: [BOT] });
    await t.say(EAST, '@_user_1 建议加大奖励力度', { mentions: [BOT] });
    expect(said()).toContain('请核对【年度报告】');
    expect(await t.bot.app.db.yearReport.count()).toBe(0);
    await t.say(EAST, '@_user_1 确认', { mentions: [BOT] });
    expect(said()).toContain('年度报告已收到');
    expect((await t.bot.app.db.yearReport.findFirstOrThrow()).experiences).toBe('以赛促学，班组练兵常态化');
  });

  it('still takes the typed text template in Lark', async () => {
    await t.say(EAST, '@_user_1 【竞赛计划】\n企业名称：东城供水有限公司\n竞赛项目：供水管网安康杯竞赛\n组织方式：班组参加\n参与人数：约150人\n时间安排：2027年4月1日至11月30日\n竞赛类型：安康杯\n重点项目：否', { mentions: [BOT] });
    expect(t.fake.texts().join('\n')).toContain('竞赛计划已收到');
    expect(await t.bot.app.db.plan.count()).toBe(1);
  });
});
