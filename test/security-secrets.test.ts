// Secrets never reach the log, errors included. The bot starts with a known app secret against a Lark
// endpoint that cuts every connection (so the SDK's axios errors, which carry the request config with
// the app secret, the Authorization header and the message body, travel up to the bot's own error
// logging); a token fetch and a message send fail, and the whole log is searched.
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from './support/harness.js';
import { startLarkBot, EAST, type LarkTestBot } from './support/lark-bot.js';
import { FAKE_APP_SECRET, TENANT_TOKEN } from './support/fake-lark.js';
import { createLogger, safeError } from '../src/logger.js';

let t: LarkTestBot | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const ADMIN_TOKEN = 'admin-token-Zq81mX0vP4';
const ENCRYPT = 'encrypt-key-3Jt7Qw9e';
// What a cadre typed, echoed in the bot's answer (the body of the send that fails).
const TYPED = '秘密命令甲乙丙X9';

describe('the log', () => {
  it('holds no app secret, tenant token or message text when a token fetch and a send fail', async () => {
    const log = captureLog();
    t = await startLarkBot(
      { LOG_LEVEL: 'debug', ADMIN_TOKEN, LARK_ENCRYPT_KEY: ENCRYPT },
      { before: (fake) => (fake.dead.token = true), logDestination: log.destination },
    );

    // 1. The token request dies: the error thrown into the send carries the token request (app secret).
    await t.say(EAST, `/${TYPED}`, { chatType: 'p2p' });
    // 2. Tokens work again, the send itself dies: its error carries "Authorization: Bearer t-…" and the text.
    t.fake.dead.token = false;
    t.fake.dead.send = true;
    await t.say(EAST, `/${TYPED}`, { chatType: 'p2p', messageId: 'om_second_try' });
    expect(t.fake.requests.some((r) => r.path.endsWith('/tenant_access_token/internal') && r.body?.app_secret === FAKE_APP_SECRET)).toBe(true);
    expect(t.fake.requests.some((r) => r.headers.authorization === `Bearer ${TENANT_TOKEN}`)).toBe(true);

    const text = log.text();
    // The failures are there to diagnose…
    const failures = log.lines().filter((l) => l.msg === 'Lark event handling failed');
    expect(failures).toHaveLength(2);
    expect(JSON.stringify(failures)).toMatch(/socket hang up|ECONNRESET/);
    // …and nothing that would let a reader of the log act as the bot or read what was said.
    for (const secret of [FAKE_APP_SECRET, TENANT_TOKEN, TYPED, ADMIN_TOKEN, ENCRYPT]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"config"|"headers"|Authorization/i);
  });

  it('keeps what diagnoses an error logged under any key, and drops what it carried', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { secrets: ['s3cr3t-value'], destination: { write: (l: string) => void lines.push(l) } });
    logger.error({ err: new Error('boom: database is locked') }, 'message handler failed');
    const axiosLike = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', config: { data: '{"text":"机密消息内容"}' } });
    logger.warn({ failure: axiosLike, nested: { request: { body: '机密消息内容' }, payload: Buffer.from('机密消息内容') } }, 'send failed');
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.err).toMatchObject({ type: 'Error', message: 'boom: database is locked' });
    expect(first.err.stack).toContain('boom: database is locked');
    expect(second.failure).toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
    expect(lines.join('')).not.toContain('机密消息内容');
  });

  it('redacts a secret-named key however deep it sits and however it is capitalised, in a child logger too', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { destination: { write: (l: string) => void lines.push(l) } });
    logger.child({ platform: 'wecom', secret: 'S-bound-secret' }).info({ sdk: { call: { retry: { Authorization: 'S-deep-auth', appSecret: 'S-deep-app', count: 3 } } } }, 'sdk call');
    const line = JSON.parse(lines[0]);
    expect(lines.join('')).not.toMatch(/S-(bound|deep)/);
    expect(line.sdk.call.retry).toEqual({ Authorization: '[redacted]', appSecret: '[redacted]', count: 3 });
    expect(line.platform).toBe('wecom');
    // Errors too: a field an SDK put on its error, on the error itself or on its cause.
    logger.error({ err: Object.assign(new Error('boom'), { token: 'S-err-token' }) }, 'failed');
    logger.error(Object.assign(new Error('boom'), { password: 'S-err-password' }));
    logger.error({ err: new Error('outer', { cause: Object.assign(new Error('inner'), { appSecret: 'S-err-cause' }) }) }, 'failed');
    expect(lines.join('')).not.toMatch(/S-err/);
    expect(JSON.parse(lines[1]).err).toMatchObject({ message: 'boom', token: '[redacted]' });
  });

  it('keeps type, message, code and HTTP status of an error, and drops its request and response', () => {
    const err = Object.assign(new Error('Request failed with status code 500'), {
      code: 'ERR_BAD_RESPONSE',
      config: { headers: { Authorization: 'Bearer t-abcdefabcdefabcdef01' }, data: '{"app_secret":"s3cr3t-value"}' },
      response: { status: 500, data: { code: 99991663, msg: 'token invalid', echo: '你好' } },
    });
    const safe = safeError(err, ['s3cr3t-value']) as Record<string, unknown>;
    expect(safe).toMatchObject({ type: 'Error', message: 'Request failed with status code 500', code: 'ERR_BAD_RESPONSE', status: 500, platformCode: 99991663 });
    expect(JSON.stringify(safe)).not.toMatch(/t-abcdef|s3cr3t|你好|config/);
    // A secret or a bearer token inside a message or printf argument is scrubbed as well.
    const lines: string[] = [];
    const logger = createLogger('info', { secrets: ['s3cr3t-value'], destination: { write: (l: string) => void lines.push(l) } });
    logger.warn({ note: 'key s3cr3t-value' }, 'calling with Bearer t-abcdefabcdefabcdef01 and %s', 's3cr3t-value');
    expect(lines.join('')).not.toMatch(/s3cr3t|t-abcdef/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
