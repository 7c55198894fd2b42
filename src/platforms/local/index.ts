// The local web chat: the page at / and its HTTP API, the embedded default that needs no account
// (LOCAL_CHAT; on by default when no real platform is configured). Its transcript is in our own
// database, so it is also the one platform that can tell whether a message was delivered.
import fs from 'node:fs';
import { definePlatform } from '../platform.js';
import { projectFile } from '../../paths.js';

// Read from the sources, also when running compiled (tsc emits no HTML).
const PAGE = projectFile('src', 'web', 'local-chat.html');

export default definePlatform<true>({
  name: 'local',
  label: 'local web chat',
  chineseName: '本地',
  real: false,
  // LOCAL_CHAT is read by config.ts itself: whether it is on by default depends on the other platforms.
  env: {},
  configure: () => true,
  capabilities: { forms: 'cards', ephemeral: false, idempotentSendMs: 0, sendWindows: [], maxMessageChars: 100_000, connections: 'many' },
  // Whoever reads the local page is the person who started the bot.
  firstAdminHow: (userId) => `要成为第一位管理员：停止机器人，再用 ADMINS=local:${userId} npm start 启动（${userId} 是您现在的用户ID）。`,
  async probeDelivered(app, chatId, marker, since) {
    const found = await app.db.localChatMessage.findFirst({ where: { chatId, fromBot: true, createdAt: { gte: new Date(since.getTime() - 1000) }, text: { contains: marker } } });
    return Boolean(found);
  },
  async standaloneSender(app, files) {
    const { LocalChat } = await import('./local-chat.js');
    return new LocalChat(app, files);
  },
  async create({ app, bot, server, files }) {
    // Loaded only when started, like every platform: config.ts reads this file for its settings alone.
    const [{ LocalChat }, { registerLocalChatRoutes }] = await Promise.all([import('./local-chat.js'), import('./routes.js')]);
    const chat = new LocalChat(app, files);
    registerLocalChatRoutes(server, bot, chat, app.config.botName);
    // BOT_NAME and the landing are placed only in HTML text and attributes (the script reads them from
    // <body>), so escaping covers them.
    const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const botName = escape(app.config.botName);
    server.get('/', async (_req, reply) => {
      const landing = escape(JSON.stringify(await chat.landing()));
      const page = fs.readFileSync(PAGE, 'utf8').replaceAll('{{BOT_NAME}}', botName).replace('{{LANDING}}', landing);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
    });
    return { sender: chat, start: async () => undefined, stop: async () => undefined, adapter: chat };
  },
});
