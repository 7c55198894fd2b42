// The WeChat login on the local web server: GET /wechat is a page showing the QR code, the status and
// the admin claim code; GET /api/wechat/login its JSON, GET /api/wechat/login/qr.svg the code itself
// (drawn locally). Whoever sees this page can log the bot in with their own WeChat or make themselves
// admin, so with ADMIN_TOKEN set all three want ?token=… or "Authorization: Bearer …", and without it
// they answer only requests from this machine (loopback).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WechatAdapter, WechatStatus } from './wechat-adapter.js';
import { qrSvg } from './qr-svg.js';
import { isLoopbackHost } from '../../secret-key.js';

const STATUS_TEXT: Record<WechatStatus, string> = {
  starting: '正在启动微信……',
  'waiting-scan': '请用机器人的微信扫描二维码登录',
  scanned: '已扫码，请在手机上确认登录',
  'logged-in': '微信已登录',
  'logged-out': '微信已退出登录，正在获取新的二维码……',
  error: '微信启动失败，稍后自动重试（详见服务日志）',
  stopped: '微信已停止',
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A request made on this machine: from a loopback address, to a loopback name, and not relayed by a
 * proxy (a reverse proxy on the same machine connects from 127.0.0.1 too, on behalf of anyone).
 */
function fromThisMachine(req: FastifyRequest): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const relayed = ['x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'forwarded', 'via'].some((h) => req.headers[h] !== undefined);
  return !relayed && isLoopbackHost(req.socket.remoteAddress ?? '') && isLoopbackHost(host);
}

function allowed(req: FastifyRequest, reply: FastifyReply, token: string | undefined): boolean {
  if (!token) {
    if (fromThisMachine(req)) return true;
    void reply.code(401).send({ error: '微信登录页只能在本机打开；要从其他电脑打开，请设置 ADMIN_TOKEN 并在地址后加 ?token=…' });
    return false;
  }
  const given = (req.query as { token?: string }).token ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
  if (given && sameText(given, token)) return true;
  void reply.code(401).send({ error: '需要管理口令：在地址后加 ?token=ADMIN_TOKEN' });
  return false;
}

const PAGE = (title: string) => `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · 微信登录</title>
<body style="font-family:system-ui,sans-serif;max-width:480px;margin:2em auto;text-align:center">
<h2>${title} · 微信登录</h2><p id="s">加载中……</p><img id="q" alt="登录二维码" style="display:none;width:280px;height:280px">
<p id="u"></p><p id="t" style="display:none;color:#b91c1c"></p><div id="c" style="display:none;border:1px solid #ccc;border-radius:8px;padding:.8em;margin:1em 0"></div><ul id="p" style="text-align:left;color:#b45309"></ul>
<script>
const token = new URLSearchParams(location.search).get('token');
const q = token ? '?token=' + encodeURIComponent(token) : '';
async function tick() {
  try {
    const s = await (await fetch('/api/wechat/login' + q)).json();
    document.getElementById('s').textContent = (s.statusText || s.error || '') + (s.statusText && s.error ? '（' + s.error + '）' : '');
    const img = document.getElementById('q');
    if (s.qrUrl) { const src = s.qrUrl + (q ? '&' + q.slice(1) : ''); if (img.getAttribute('src') !== src) img.src = src; img.style.display = ''; } else img.style.display = 'none';
    document.getElementById('u').textContent = s.user ? '当前账号：' + s.user : '';
    const c = document.getElementById('c');
    if (s.claimCode) { c.textContent = '管理员认领码：' + s.claimCode + '。管理员私聊机器人发送“/管理员 认领 ' + s.claimCode + '”即成为管理员（一次有效，用后自动更换）。'; c.style.display = ''; } else c.style.display = 'none';
    const t = document.getElementById('t');
    t.textContent = s.throttle || ''; t.style.display = s.throttle ? '' : 'none';
    document.getElementById('p').innerHTML = '';
    for (const p of s.problems || []) { const li = document.createElement('li'); li.textContent = p; document.getElementById('p').appendChild(li); }
  } catch (e) { document.getElementById('s').textContent = '连接服务失败，正在重试……'; }
}
tick(); setInterval(tick, 3000);
</script></body></html>`;

/** The account's throttle, in words: WeChat said it sends too often, so nothing goes out until… */
function throttleNotice(t: ReturnType<WechatAdapter['sender']['throttleState']>): { throttle?: string } {
  const hhmm = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
  if (t.pausedUntil) return { throttle: `微信提示发送过于频繁，机器人暂停发送到 ${hhmm(t.pausedUntil)}（${Math.round((t.last?.ms ?? 0) / 60_000)} 分钟；再次被限会加倍）。期间的回复和提醒会排队，之后依次发出。` };
  if (t.last) return { throttle: `上次被微信限制发送：${hhmm(t.last.at)}，暂停了 ${Math.round(t.last.ms / 60_000)} 分钟。` };
  return {};
}

export function registerWechatRoutes(server: FastifyInstance, wechat: WechatAdapter, opts: { adminToken?: string; botName: string }): void {
  server.get('/api/wechat/login', async (req, reply) => {
    if (!allowed(req, reply, opts.adminToken)) return reply;
    const s = wechat.loginState();
    const showQr = Boolean(s.qrcode) && (s.status === 'waiting-scan' || s.status === 'scanned');
    const claim = await wechat.currentClaimCode();
    reply.header('cache-control', 'no-store');
    return {
      status: s.status,
      statusText: STATUS_TEXT[s.status],
      ...(showQr ? { qrUrl: `/api/wechat/login/qr.svg?v=${s.qrVersion}` } : {}),
      ...(s.user ? { user: s.user } : {}),
      ...(s.status === 'error' && s.error ? { error: s.error } : {}),
      ...(claim ? { claimCode: claim.code, claimExpiresAt: claim.expiresAt.toISOString() } : {}),
      problems: s.problems,
      ...throttleNotice(wechat.sender.throttleState()),
    };
  });

  server.get('/api/wechat/login/qr.svg', async (req, reply) => {
    if (!allowed(req, reply, opts.adminToken)) return reply;
    const s = wechat.loginState();
    if (!s.qrcode) return reply.code(404).send({ error: '现在没有需要扫描的二维码' });
    return reply.type('image/svg+xml').header('cache-control', 'no-store').send(qrSvg(s.qrcode));
  });

  server.get('/wechat', async (req, reply) => {
    if (!allowed(req, reply, opts.adminToken)) return reply;
    return reply.type('text/html; charset=utf-8').send(PAGE(opts.botName.replace(/[<>&"]/g, '')));
  });
}
