// LARK_MODE=http: POST /webhook/lark answers the URL challenge, refuses unencrypted and badly
// signed requests (the SDK alone would dispatch them), and handles signed events and card callbacks.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EAST, ENCRYPT_KEY, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { captureLog } from './support/harness.js';
import { textMessage } from './support/lark-payloads.js';

const VERIFICATION_TOKEN = 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV';

let t: LarkTestBot;
let log: ReturnType<typeof captureLog>;
beforeEach(async () => {
  log = captureLog();
  t = await startLarkBot({ LARK_VERIFICATION_TOKEN: VERIFICATION_TOKEN, LOG_LEVEL: 'info' }, { logDestination: log.destination });
});
afterEach(async () => t.close());

/** Lark's encryption: AES-256-CBC, key sha256(Encrypt Key), random IV prepended, base64. */
function encrypt(payload: object): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(ENCRYPT_KEY).digest(), iv);
  return Buffer.concat([iv, cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]).toString('base64');
}

async function post(body: object, opts: { sign?: 'good' | 'bad' | 'none'; at?: number } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor((opts.at ?? Date.now()) / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha256').update(timestamp + nonce + ENCRYPT_KEY + raw).digest('hex');
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if ((opts.sign ?? 'good') !== 'none') {
    Object.assign(headers, { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': opts.sign === 'bad' ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : signature });
  }
  const res = await fetch(`${t.bot.url}/webhook/lark`, { method: 'POST', headers, body: raw });
  const json = await res.json();
  await t.lark.idle();
  return { status: res.status, json };
}

describe('POST /webhook/lark', () => {
  it('answers the encrypted URL-verification challenge', async () => {
    const res = await post({ encrypt: encrypt({ challenge: 'ajls384kdjx98XX', token: VERIFICATION_TOKEN, type: 'url_verification' }) }, { sign: 'none' });
    expect(res).toEqual({ status: 200, json: { challenge: 'ajls384kdjx98XX' } });
  });

  it('handles a signed, encrypted message event', async () => {
    const res = await post({ encrypt: encrypt(textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help' })) });
    expect(res.status).toBe(200);
    expect(t.fake.texts().join('\n')).toContain('我是赛务助手');
  });

  it('refuses a bad signature, a missing one, and an unencrypted body, without handling them', async () => {
    const event = textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help' });
    expect((await post({ encrypt: encrypt(event) }, { sign: 'bad' })).status).toBe(401);
    expect((await post({ encrypt: encrypt(event) }, { sign: 'none' })).status).toBe(401);
    expect((await post(event)).status).toBe(400);
    expect(t.fake.messages).toEqual([]);
  });

  it('refuses a correctly signed request from long ago or from the future, and logs it without the body', async () => {
    const event = textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help 重放的消息' });
    const body = { encrypt: encrypt(event) };
    expect((await post(body, { at: Date.parse('2020-01-01T00:00:00Z') })).status).toBe(401);
    expect((await post(body, { at: Date.now() + 10 * 60_000 })).status).toBe(401);
    expect((await post(body, { at: Date.now() - 6 * 60_000 })).status).toBe(401);
    expect(t.fake.messages).toEqual([]);
    const refusals = log.lines().filter((l) => l.msg === 'Lark webhook request refused');
    expect(refusals).toHaveLength(3);
    expect(String(refusals[0].reason)).toContain('more than 5 minutes');
    expect(log.text()).not.toContain(body.encrypt.slice(0, 40));
    expect(log.text()).not.toContain('重放的消息');
    // The same event within the window is handled (clocks a few minutes apart are fine).
    expect((await post(body, { at: Date.now() - 2 * 60_000 })).status).toBe(200);
    expect(t.fake.texts().join('\n')).toContain('我是赛务助手');
  });

  it('refuses an event whose verification token is wrong, even when signed', async () => {
    const event = textMessage({ from: EAST, chatId: 'oc_p2p_east', chatType: 'p2p', text: '/help' });
    const forged = { ...event, header: { ...event.header, token: 'not-the-token' } };
    expect((await post({ encrypt: encrypt(forged) })).status).toBe(401);
    expect(t.fake.messages).toEqual([]);
  });

  it('answers a card callback with a body (a toast), never an empty one', async () => {
    const callback = {
      schema: '2.0',
      header: { event_id: 'a1b2c3d4e5f6a7b8c9d0', token: VERIFICATION_TOKEN, create_time: String(Date.now() * 1000), event_type: 'card.action.trigger', tenant_key: '2ca1d211f64f6438', app_id: 'cli_a1b2c3d4e5f60718' },
      event: {
        operator: { open_id: EAST.openId }, token: 'c-0f1e2d3c',
        action: { value: { saiwu: 'form', form: 'plan', chat_id: 'oc_p2p_east', chat_type: 'p2p', user_id: EAST.openId, user_name: EAST.name }, tag: 'button', name: 'saiwu_submit', form_value: { project: '测试' } },
        host: 'im_message', context: { open_message_id: 'om_x', open_chat_id: 'oc_p2p_east' },
      },
    };
    const res = await post({ encrypt: encrypt(callback) });
    expect(res.status).toBe(200);
    expect(res.json.toast.type).toBe('warning');
    expect(res.json.toast.content).toContain('还没有登记所属单位');
    // A button that is not ours still gets a body.
    const other = { ...callback, header: { ...callback.header, event_id: 'b1' }, event: { ...callback.event, action: { value: { foo: 1 }, tag: 'button' } } };
    expect(await post({ encrypt: encrypt(other) })).toEqual({ status: 200, json: {} });
  });
});
