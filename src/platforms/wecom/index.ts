// WeCom (企业微信) 智能机器人: Tencent's official bot with a WebSocket long connection, through
// @wecom/aibot-node-sdk — stable user ids and no account-ban risk, the recommended route into the
// WeChat world. Configured by WECOM_BOT_ID and WECOM_BOT_SECRET (README "WeCom").
import { ConfigError } from '../../config-error.js';
import { definePlatform, optionalText } from '../platform.js';


export interface WecomSection {
  botId: string;
  secret: string;
  /** A privately deployed WeCom's long-connection address; default the SDK's wss://openws.work.weixin.qq.com. */
  wsUrl?: string;
}

export default definePlatform<WecomSection>({
  name: 'wecom',
  label: 'WeCom',
  chineseName: '企业微信',
  real: true,
  env: {
    WECOM_BOT_ID: optionalText,
    WECOM_BOT_SECRET: optionalText,
    WECOM_WS_URL: optionalText.refine((v) => v === undefined || /^wss?:\/\/[^\s]+$/.test(v), 'WECOM_WS_URL must be a ws:// or wss:// address, e.g. wss://openws.example.gov.cn'),
  },
  configure(e) {
    const [botId, secret] = [e.WECOM_BOT_ID as string | undefined, e.WECOM_BOT_SECRET as string | undefined];
    if (Boolean(botId) !== Boolean(secret)) throw new ConfigError('WECOM_BOT_ID and WECOM_BOT_SECRET must be set together');
    if (!botId || !secret) return undefined;
    return { botId, secret, ...(e.WECOM_WS_URL ? { wsUrl: e.WECOM_WS_URL as string } : {}) };
  },
  secrets: (s) => [s.secret],
  capabilities: {
    // Template cards have buttons but no text inputs: forms are text templates and guided filing.
    forms: 'text',
    ephemeral: false,
    idempotentSendMs: 0,
    // 30 messages a minute and 1,000 an hour per conversation, replies and pushes together.
    sendWindows: [
      { scope: 'chat', max: 30, durationMs: 60_000 },
      { scope: 'chat', max: 1000, durationMs: 3_600_000 },
    ],
    maxMessageChars: 6000,
    // One connection at a time: the bot processes elect its holder (src/platforms/lease.ts).
    connections: 'one',
  },
  async create({ app, bot, options }, section) {
    const { WecomAdapter } = await import('./wecom-adapter.js');
    const adapter = new WecomAdapter(app, bot, section, (options ?? {}) as ConstructorParameters<typeof WecomAdapter>[3]);
    return { sender: adapter.sender, start: () => adapter.start(), stop: () => adapter.stop(), adapter };
  },
});
