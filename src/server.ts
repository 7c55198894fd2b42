// The HTTP server: produced files, health and the Host check. Platforms add their routes when they
// start (the local chat's page and API, POST /webhook/lark, the WeChat login page); start.ts adds the
// queue dashboard.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from './core/app.js';
import type { FileStore } from './files.js';
import { isLoopbackHost } from './secret-key.js';

export interface ServerParts {
  server: FastifyInstance;
}

/** Paths reached by other machines with their own authentication (signed webhooks) or none needed. */
const ANY_HOST = [/^\/webhook\//, /^\/healthz$/];

/**
 * The hostnames this server answers to: loopback, PUBLIC_BASE_URL's and HOST's. A DNS-rebinding page
 * reaches a local server under its own hostname, so every other Host is refused; without this, any
 * web page a cadre opens could drive the local chat or fetch the exports.
 */
export function allowedHostnames(config: App['config']): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  try {
    names.add(new URL(config.publicBaseUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  } catch {
    // publicBaseUrl is validated in config.ts; nothing to add if it does not parse.
  }
  if (config.host !== '0.0.0.0' && config.host !== '::') names.add(config.host.toLowerCase());
  return names;
}

function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return null;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  png: 'image/png',
  csv: 'text/csv; charset=utf-8',
};

export function createServer(app: App, files: FileStore): ServerParts {
  const server = Fastify({ logger: false, bodyLimit: 1_000_000 });
  const hosts = allowedHostnames(app.config);
  server.addHook('onRequest', async (req, reply) => {
    if (ANY_HOST.some((re) => re.test(req.url))) return;
    const name = hostnameOf(req.headers.host);
    if (name && (hosts.has(name) || isLoopbackHost(name))) return;
    app.log.warn({ host: req.headers.host?.slice(0, 100), path: req.url.split('?')[0].slice(0, 100) }, 'request with an unknown Host refused');
    return reply.code(421).send({ error: '不接受这个访问地址。请用 http://127.0.0.1:端口 打开；对外提供服务时请把 PUBLIC_BASE_URL 设为实际地址。' });
  });
  server.get('/healthz', async () => ({ ok: true }));

  server.get<{ Params: { '*': string }; Querystring: { exp?: string; sig?: string } }>('/files/*', async (req, reply) => {
    const found = files.resolve(req.params['*'], req.query);
    if (!found.ok) return reply.code(found.status).send({ error: found.error });
    const name = path.basename(found.path);
    const type = CONTENT_TYPES[name.toLowerCase().split('.').pop() ?? ''] ?? 'application/octet-stream';
    reply.header('content-type', type);
    reply.header('cache-control', 'private, no-store');
    if (!name.endsWith('.png')) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    return reply.send(fs.createReadStream(found.path));
  });

  // Platforms add their own routes (the local chat's page and API, Lark's webhook, WeChat's login page).
  return { server };
}
