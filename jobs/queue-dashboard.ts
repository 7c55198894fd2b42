// The queue dashboard (bull-board) at /admin/queues. bull-board has no login of its own, so every
// request must carry ADMIN_TOKEN (Authorization: Bearer …, or ?token=… once, which sets a cookie
// for the page's own API calls). Without ADMIN_TOKEN the dashboard stays closed.
import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'saiwu_admin';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function presentedToken(req: FastifyRequest): { token?: string; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), fromQuery: false };
  const query = (req.query ?? {}) as Record<string, unknown>;
  if (typeof query.token === 'string') return { token: query.token, fromQuery: true };
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return { token: cookie ? decodeURIComponent(cookie.slice(COOKIE.length + 1)) : undefined, fromQuery: false };
}

export async function registerQueueDashboard(server: FastifyInstance, adminToken: string | undefined, queues: Queue[]): Promise<void> {
  if (!adminToken) {
    const closed = async (_req: FastifyRequest, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send('队列面板未开启：请在环境变量中设置 ADMIN_TOKEN 后重启。');
    server.get(DASHBOARD_PATH, closed);
    server.get(`${DASHBOARD_PATH}/*`, closed);
    return;
  }
  const adapter = new FastifyAdapter();
  // @bull-board/fastify pins its own copy of @bull-board/api (a patch version apart): same shape, distinct types.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  adapter.setBasePath(DASHBOARD_PATH);
  await server.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      const { token, fromQuery } = presentedToken(req);
      if (!token || !same(token, adminToken)) {
        return reply.code(401).type('text/plain; charset=utf-8').send('需要管理员令牌：请在地址后加 ?token=ADMIN_TOKEN 访问。');
      }
      if (fromQuery) reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=${DASHBOARD_PATH}; HttpOnly; SameSite=Strict`);
    });
    await scope.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
