// The HTTP server: the local chat (page and API), produced files, health. start.ts adds the queue
// dashboard and, with LARK_MODE=http, POST /webhook/lark (src/adapters/lark/lark-webhook.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from './core/app.js';
import type { Bot } from './bot.js';
import type { FileStore } from './files.js';
import { LocalChat } from './adapters/local/local-chat.js';
import { registerLocalChatRoutes } from './adapters/local/routes.js';

const PAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web', 'local-chat.html');

export interface ServerParts {
  server: FastifyInstance;
  localChat: LocalChat | null;
}

export function createServer(app: App, bot: Bot, files: FileStore): ServerParts {
  const server = Fastify({ logger: false, bodyLimit: 1_000_000 });
  server.get('/healthz', async () => ({ ok: true }));

  server.get<{ Params: { '*': string } }>('/files/*', async (req, reply) => {
    const full = files.resolve(req.params['*']);
    if (!full || !fs.existsSync(full)) return reply.code(404).send({ error: '文件不存在或已过期' });
    const name = path.basename(full);
    const type = name.endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : name.endsWith('.png') ? 'image/png' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream';
    reply.header('content-type', type);
    if (!name.endsWith('.png')) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    return reply.send(fs.createReadStream(full));
  });

  let localChat: LocalChat | null = null;
  if (app.config.localChat) {
    localChat = new LocalChat(app, files);
    app.senders.set('local', localChat);
    registerLocalChatRoutes(server, bot, localChat, app.config.botName);
    // BOT_NAME is placed only in HTML text and attributes (the script reads it from <body>), so escaping covers it.
    const botName = app.config.botName.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    server.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(fs.readFileSync(PAGE, 'utf8').replaceAll('{{BOT_NAME}}', botName)));
  }
  return { server, localChat };
}
