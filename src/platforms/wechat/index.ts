// Personal WeChat (微信) through Wechaty: a logged-in account in the groups, text templates and
// guided filing instead of cards, human-paced sending. Enabled by WECHAT_ENABLED=1 (README "WeChat").
import { z } from 'zod';
import { definePlatform, optionalText } from '../platform.js';


export interface WechatSection {
  puppet: string;
  puppetToken?: string;
  name: string;
}

export default definePlatform<WechatSection>({
  name: 'wechat',
  label: 'WeChat',
  chineseName: '微信',
  real: true,
  env: {
    WECHAT_ENABLED: z.enum(['0', '1', 'true', 'false', '']).default('0').transform((v) => v === '1' || v === 'true'),
    WECHATY_PUPPET: z.string().default('wechaty-puppet-wechat4u'),
    WECHATY_PUPPET_SERVICE_TOKEN: optionalText,
    WECHATY_NAME: z.string().default('saiwu'),
  },
  configure: (e) => (e.WECHAT_ENABLED ? { puppet: e.WECHATY_PUPPET as string, puppetToken: e.WECHATY_PUPPET_SERVICE_TOKEN as string | undefined, name: e.WECHATY_NAME as string } : undefined),
  secrets: (s) => [s.puppetToken],
  // Ids change at every login on WeChat's web protocol, so ADMINS cannot name a person: a claim code.
  firstAdminHow: () => '请运行机器人的人在服务器日志或 /wechat 页面找到“管理员认领码”，要当管理员的人私聊机器人发送“/管理员 认领 认领码”。',
  capabilities: {
    forms: 'text',
    ephemeral: false,
    idempotentSendMs: 0,
    // Pacing is the WeChat sender's own (human-like spacing per account, send-queue.ts).
    sendWindows: [],
    // wechat-render.ts splits longer text at line boundaries.
    maxMessageChars: 1500,
    // One connection at a time: the bot processes elect its holder (src/platforms/lease.ts).
    connections: 'one',
  },
  async create({ app, bot, server, options }, section) {
    const [{ WechatAdapter }, { registerWechatRoutes }] = await Promise.all([import('./wechat-adapter.js'), import('./wechat-routes.js')]);
    const adapter = new WechatAdapter(app, bot, section, (options ?? {}) as ConstructorParameters<typeof WechatAdapter>[3]);
    registerWechatRoutes(server, adapter, { adminToken: app.config.adminToken, botName: app.config.botName });
    // start() never throws: a puppet that cannot start is retried in the background (wechat-adapter.ts).
    return { sender: adapter.sender, start: () => adapter.start(), stop: () => adapter.stop(), quiesce: () => adapter.sender.stopQueue(), adapter };
  },
});
