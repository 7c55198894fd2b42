// The queue dashboard (bull-board) at /admin/queues. bull-board has no login of its own, so every
// request must carry ADMIN_TOKEN (Authorization: Bearer …, or ?token=… once, which sets a cookie
// for the page's own API calls). The cookie holds an HMAC of the token under the server's key, never
// the token itself (which also opens the WeChat login page), and is HttpOnly, SameSite=Strict, and
// Secure when PUBLIC_BASE_URL is https. Without ADMIN_TOKEN the dashboard stays closed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'saiwu_admin';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface DashboardAuth {
  adminToken?: string;
  /** The server's key (secret-key.ts), for the cookie's HMAC. */
  key: Buffer;
  /** Mark the cookie Secure (the public address is https). */
  secure: boolean;
}

/** What the cookie holds: proof of the token, not the token. */
export function dashboardCookieValue(auth: Pick<DashboardAuth, 'key'>, token: string): string {
  return createHmac('sha256', auth.key).update(`dashboard:${token}`).digest('base64url');
}

function presented(req: FastifyRequest): { token?: string; cookie?: string; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), fromQuery: false };
  const query = (req.query ?? {}) as Record<string, unknown>;
  if (typeof query.token === 'string') return { token: query.token, fromQuery: true };
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return { cookie: cookie ? decodeURIComponent(cookie.slice(COOKIE.length + 1)) : undefined, fromQuery: false };
}

export async function registerQueueDashboard(server: FastifyInstance, auth: DashboardAuth, queues: Queue[]): Promise<void> {
  const adminToken = auth.adminToken;
  if (!adminToken) {
    const closed = async (_req: FastifyRequest, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send('队列面板未开启：请在环境变量中设置 ADMIN_TOKEN 后重启。');
    server.get(DASHBOARD_PATH, closed);
    server.get(`${DASHBOARD_PATH}/*`, closed);
    return;
  }
  const cookieValue = dashboardCookieValue(auth, adminToken);
  // Loaded only when the dashboard is open: bull-board is some 25 MB a bot without ADMIN_TOKEN never needs.
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/fastify')]);
  const adapter = new FastifyAdapter();
  // @bull-board/fastify pins its own copy of @bull-board/api (a patch version apart): same shape, distinct types.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  adapter.setBasePath(DASHBOARD_PATH);
  await server.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      const { token, cookie, fromQuery } = presented(req);
      const ok = token !== undefined ? same(token, adminToken) : cookie !== undefined && same(cookie, cookieValue);
      if (!ok) return reply.code(401).type('text/plain; charset=utf-8').send('需要管理员令牌：请在地址后加 ?token=ADMIN_TOKEN 访问。');
      if (fromQuery) {
        reply.header('set-cookie', `${COOKIE}=${cookieValue}; Path=${DASHBOARD_PATH}; HttpOnly; SameSite=Strict${auth.secure ? '; Secure' : ''}`);
      }
    });
    await scope.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
