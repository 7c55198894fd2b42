// The default mode end to end: the SDK's WSClient connects to the fake server's long connection,
// message events are ACKed before the reply is sent, and a card submit's ACK carries the toast and
// the receipt card (the SDK turns the handler's return value into the ACK's data).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT, EAST, LARK_GROUP, setUpLarkDistrict, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { formSubmit, textMessage } from './support/lark-payloads.js';

let t: LarkTestBot;
beforeEach(async () => {
  t = await startLarkBot({ LARK_MODE: 'ws' });
  t.bot.setNow('2027-02-10T10:00:00+08:00');
  await t.fake.wsConnected();
});
afterEach(async () => t.close());

describe('Lark long connection', () => {
  it('acknowledges a message at once and replies afterwards', async () => {
    const ack = await t.fake.pushEvent(textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help' }));
    expect(ack).toEqual({ code: 200, body: {} });
    await t.lark.idle();
    expect(t.fake.texts().join('\n')).toContain('我是赛务助手');
  });

  it('answers a card submit with a toast and the receipt card in the ACK', async () => {
    await setUpLarkDistrict(t);
    await t.fake.pushEvent(textMessage({ from: EAST, chatId: LARK_GROUP, text: '@_user_1 /plan', mentions: [BOT] }));
    await t.lark.idle();
    const card = t.fake.messages.find((m) => m.via === 'create' && m.msgType === 'interactive' && m.to === EAST.openId)!.content;
    const button = card.body.elements.find((e: any) => e.tag === 'form').elements.find((e: any) => e.tag === 'button');
    const ack = await t.fake.pushEvent(formSubmit({
      from: EAST, chatId: LARK_GROUP, value: button.behaviors[0].value,
      formValue: { enterpriseName: '东城建设集团有限公司', project: '快速路“五比一创”劳动竞赛', organizer: '工会与项目部联合组织', participants: '320', period_start: '2027-03-01 +0800', period_end: '2027-10-31 +0800', type: '五比一创', keyProject: '否' },
    }));
    expect(ack.code).toBe(200);
    expect(ack.body.toast).toEqual({ type: 'success', content: '竞赛计划已提交' });
    expect(ack.body.card.data.header.title.content).toBe('竞赛计划已提交');
    expect(await t.bot.app.db.plan.count()).toBe(1);
  });
});
