// Forms as Lark cards: /plan in a group sends the card to the asker alone, a submit files the plan
// and turns the card into a receipt, a bad submit keeps the values and shows the errors, and a
// redelivered submit is handled once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT, EAST, LARK_GROUP, WEST, setUpLarkDistrict, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { formSubmit } from './support/lark-payloads.js';
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

async function planCard(): Promise<Card> {
  await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
  const eph = t.fake.messages.find((m) => m.via === 'ephemeral');
  expect(eph, 'the form goes to the asker as an ephemeral card').toBeTruthy();
  return eph!.content as Card;
}

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
  it('sends /plan from a group only to the asker, as a 2.0 card built from the form definition', async () => {
    const card = await planCard();
    const eph = t.fake.messages.find((m) => m.via === 'ephemeral')!;
    expect(eph.to).toBe(LARK_GROUP);
    expect(eph.openId).toBe(EAST.openId);
    // Nothing was posted for everyone in the group.
    expect(t.fake.messages.filter((m) => m.via !== 'ephemeral')).toEqual([]);
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
  });

  it('keeps the entered values and shows the errors when a submit is invalid', async () => {
    const card = await planCard();
    const answer = await t.submit(EAST, submitValue(card), { ...goodPlan, participants: '三百多', period_start: '2027-10-31 +0800', period_end: '2027-03-01 +0800' });
    expect(answer.toast.type).toBe('error');
    expect(answer.toast.content).toContain('2 处需要修改');
    const again = answer.card.data as Card;
    const els = elementsOf(again);
    const byName = (n: string) => els.find((e) => e.name === n);
    // Values kept, in the form Lark's components take them.
    expect(byName('enterpriseName').default_value).toBe('东城建设集团有限公司');
    expect(byName('participants').default_value).toBe('三百多');
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
    const card = t.fake.messages.find((m) => m.via === 'ephemeral')!.content as Card;
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
    const fresh = t.fake.messages.find((m) => m.via === 'ephemeral')!.content as Card;
    const bad = await t.submit(EAST, submitValue(fresh), { plan: planId, date: '2027-02-30 +0800', content: '补报' });
    const again = elementsOf(bad.card.data).find((e) => e.name === 'plan');
    expect(again.tag).toBe('select_static');
    expect(again.initial_option).toBe(planId);
    expect(JSON.stringify(bad.card.data)).toContain('不是有效的日期');
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

  it('sends the form in a private chat, with a note in the group, when an ephemeral card is not possible', async () => {
    t.fake.ephemeralFails = true;
    await t.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
    const p2p = t.fake.messages.find((m) => m.via === 'create' && m.msgType === 'interactive');
    expect(p2p?.to).toBe(EAST.openId);
    const note = t.fake.messages.find((m) => m.via === 'reply' && m.msgType === 'text');
    expect(note?.content.text).toBe(`<at user_id="${EAST.openId}">${EAST.name}</at> 已把「竞赛计划」表单私信发给您，请在与赛务助手的单聊中填写提交。`);
    // Submitted from the private chat, the plan still belongs to the group's campaign.
    const answer = await t.submit(EAST, submitValue(p2p!.content as Card), goodPlan);
    expect(answer.toast.type).toBe('success');
    expect(await t.bot.app.db.plan.count()).toBe(1);
  });

  it('answers "saving…" within Lark\'s 3 seconds when a submit is slow, then updates the card', async () => {
    const card = await planCard();
    // Someone other than the asker submits, so the bot looks up the name: make that slow.
    t.fake.contactDelayMs = 3000;
    const started = Date.now();
    const answer = await t.lark.dispatcher.invoke(formSubmit({ from: WEST, chatId: LARK_GROUP, value: submitValue(card), formValue: goodPlan }), { needCheck: false });
    expect(Date.now() - started).toBeLessThan(2900);
    expect(answer.toast.type).toBe('info');
    expect(answer.card).toBeUndefined();
    await t.lark.idle();
    const update = t.fake.requests.find((r) => r.path === '/open-apis/interactive/v1/card/update');
    expect(update?.body.token).toMatch(/^c-/);
    // WEST has no unit: the card is updated to say so, with the values kept.
    expect(JSON.stringify(update?.body.card)).toContain('还没有登记所属单位');
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
