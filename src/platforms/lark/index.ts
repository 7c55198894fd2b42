// Feishu / Lark (飞书): a self-built app's bot, events over the SDK's long connection or signed HTTP
// callbacks, forms as cards. Configured by LARK_APP_ID and LARK_APP_SECRET (README "Feishu / Lark").
import { z } from 'zod';
import { ConfigError } from '../../config-error.js';
import { definePlatform, optionalText } from '../platform.js';


export interface LarkSection {
  appId: string;
  appSecret: string;
  /** feishu, lark, or a private deployment's base URL. */
  domain: string;
  mode: 'ws' | 'http';
  /**
   * Where a form asked for in a group goes: `private` (default) to the asker's private chat with the
   * bot, where it stays, is notified and is on every device; `ephemeral` as a card only the asker sees
   * in the group (only on clients online at that moment, never kept), with the receipt sent privately.
   */
  groupForms: 'private' | 'ephemeral';
  encryptKey?: string;
  verificationToken?: string;
  /** How long one API call may take before it fails (uploads six times as long). */
  httpTimeoutMs: number;
}

export default definePlatform<LarkSection>({
  name: 'lark',
  label: 'Feishu/Lark',
  chineseName: '飞书',
  real: true,
  env: {
    LARK_APP_ID: optionalText,
    LARK_APP_SECRET: optionalText,
    // feishu (open.feishu.cn), lark (open.larksuite.com), or the base URL of a private deployment.
    LARK_DOMAIN: z.string().trim().default('feishu').refine((v) => /^(feishu|lark)$/i.test(v) || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), 'LARK_DOMAIN must be feishu, lark, or a base URL such as https://open.example.gov.cn'),
    LARK_MODE: z.enum(['ws', 'http']).default('ws'),
    LARK_ENCRYPT_KEY: optionalText,
    LARK_VERIFICATION_TOKEN: optionalText,
    // private: a form asked for in a group goes to the asker's private chat; ephemeral: a card only they see in the group.
    LARK_GROUP_FORMS: z.enum(['private', 'ephemeral']).default('private'),
    // A call Lark has not answered in this long fails (a reminder is then retried, and Lark drops a repeat).
    LARK_HTTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(20_000),
  },
  configure(e) {
    const [appId, appSecret] = [e.LARK_APP_ID as string | undefined, e.LARK_APP_SECRET as string | undefined];
    if (Boolean(appId) !== Boolean(appSecret)) throw new ConfigError('LARK_APP_ID and LARK_APP_SECRET must be set together');
    if (!appId || !appSecret) return undefined;
    if (e.LARK_MODE === 'http' && !e.LARK_ENCRYPT_KEY) throw new ConfigError('LARK_MODE=http requires LARK_ENCRYPT_KEY, so that forged requests are refused');
    return {
      appId, appSecret, domain: e.LARK_DOMAIN as string, mode: e.LARK_MODE as 'ws' | 'http', groupForms: e.LARK_GROUP_FORMS as 'private' | 'ephemeral',
      encryptKey: e.LARK_ENCRYPT_KEY as string | undefined, verificationToken: e.LARK_VERIFICATION_TOKEN as string | undefined,
      httpTimeoutMs: e.LARK_HTTP_TIMEOUT_MS as number,
    };
  },
  secrets: (s) => [s.appSecret, s.encryptKey, s.verificationToken],
  capabilities: {
    forms: 'cards',
    ephemeral: true,
    // im/v1/messages drops a second message with the same uuid within an hour of the first; a delivery
    // interrupted longer ago than 55 minutes is not re-sent (the re-send itself must land in that hour).
    idempotentSendMs: 55 * 60_000,
    // 5 messages/s per chat, 50/s and 1,000/min per app (im/v1/messages).
    sendWindows: [
      { scope: 'chat', max: 5, durationMs: 1000 },
      { scope: 'app', max: 50, durationMs: 1000 },
      { scope: 'app', max: 1000, durationMs: 60_000 },
    ],
    // Text messages may be far longer (150 KB); a chat reads better in pieces of this size.
    maxMessageChars: 8000,
    // Lark spreads an app's events among its connected clients: every bot process may connect.
    connections: 'many',
  },
  // A worker process sends reminders through the API alone (no event connection).
  async standaloneSender(app, _files, section) {
    const [{ createLarkClient }, { LarkSender }, { LarkRateLimiter }] = await Promise.all([import('./lark-client.js'), import('./lark-sender.js'), import('./lark-rate-limit.js')]);
    const log = app.log.child({ platform: 'lark' });
    return new LarkSender(createLarkClient(section, log), new LarkRateLimiter(), log);
  },
  async create({ app, bot, server }, section) {
    const { LarkAdapter } = await import('./lark-adapter.js');
    const adapter = new LarkAdapter(app, bot, section);
    if (section.mode === 'http') {
      const { registerLarkWebhook } = await import('./lark-webhook.js');
      registerLarkWebhook(server, { encryptKey: section.encryptKey!, verificationToken: section.verificationToken }, (payload, headers) => adapter.dispatch(payload, headers), app.log);
    }
    return { sender: adapter.sender, start: () => adapter.start(), stop: () => adapter.stop(), adapter };
  },
});
