// The HTTP surfaces: download links that expire (and are signed when the server is reachable from
// other machines), no directory answers, a Host check against DNS rebinding, a dashboard cookie that
// is not the admin token, and a data directory only the server's user can enter.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, type TestBot } from './support/harness.js';

let bot: TestBot | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

/** A raw request, so the Host header can be anything (fetch would set its own). */
function request(url: string, opts: { host?: string; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: { ...(opts.host ? { host: opts.host } : {}), ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function exportLink(b: TestBot): Promise<string> {
  const { admin } = await setUpDistrict(b);
  const replies = await b.say(admin, '/export plan');
  const file = replies.find((r) => r.kind === 'file');
  if (!file || file.kind !== 'file') throw new Error('no file in the export reply');
  return file.url;
}

describe('download links', () => {
  it('expire after FILE_TTL_HOURS, and the file is deleted', async () => {
    bot = await startTestBot({ FILE_TTL_HOURS: '0.0005' }); // 1.8 seconds
    const link = await exportLink(bot);
    expect(link).toMatch(/^\/files\/[0-9a-f-]{36}\/.+\.xlsx$/);
    const ok = await fetch(bot.url + link);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('spreadsheetml');
    const dir = path.join(bot.dataDir, 'files', link.split('/')[2]);
    expect(fs.existsSync(dir)).toBe(true);
    await new Promise((r) => setTimeout(r, 2200));
    const gone = await fetch(bot.url + link);
    expect(gone.status).toBe(404);
    expect((await gone.json()).error).toContain('已过期');
    for (let i = 0; i < 20 && fs.existsSync(dir); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('serve a file whose name has a percent sign', async () => {
    bot = await startTestBot();
    const { admin } = await setUpDistrict(bot);
    await bot.say(admin, '/unit add 100%达标工会');
    await bot.say({ ...admin, chatId: 'pct' }, '/bind 100%达标工会');
    const file = (await bot.say({ ...admin, chatId: 'pct' }, '/export plan')).find((r) => r.kind === 'file');
    expect(file?.kind === 'file' && file.fileName).toContain('100%达标');
    expect((await fetch(bot.url + (file?.kind === 'file' ? file.url : ''))).status).toBe(200);
  });

  it('answers 404, not 500, for a directory or a path outside the store', async () => {
    bot = await startTestBot();
    const link = await exportLink(bot);
    const dir = link.split('/').slice(0, 3).join('/');
    expect((await fetch(`${bot.url}${dir}`)).status).toBe(404);
    expect((await fetch(`${bot.url}${dir}/`)).status).toBe(404);
    expect((await fetch(`${bot.url}/files/`)).status).toBe(404);
    expect((await fetch(`${bot.url}/files/..%2Fsaiwu.db`)).status).toBe(404);
    expect((await fetch(`${bot.url}/files/${link.split('/')[2]}/..%2F..%2Fsecret.key`)).status).toBe(404);
  });

  it('carry an expiry and a signature when the server listens beyond loopback', async () => {
    bot = await startTestBot({ HOST: '0.0.0.0', FILE_TTL_HOURS: '24' });
    const link = await exportLink(bot);
    const url = new URL(link, 'http://x');
    const exp = Number(url.searchParams.get('exp'));
    expect(exp * 1000).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(url.searchParams.get('sig')).toMatch(/^[\w-]{20,}$/);
    expect((await fetch(bot.url + link)).status).toBe(200);
    // Without the signature, with another expiry, or with a signature for another file: refused.
    expect((await fetch(`${bot.url}${url.pathname}`)).status).toBe(403);
    expect((await fetch(`${bot.url}${url.pathname}?exp=${exp + 3600}&sig=${url.searchParams.get('sig')}`)).status).toBe(403);
    const again = (await bot.say({ userId: 'admin', userName: '王主席', chatId: 'district-group' }, '/export summary')).find((r) => r.kind === 'file');
    const other = again?.kind === 'file' ? again.url : '';
    expect((await fetch(`${bot.url}${new URL(other, 'http://x').pathname}?exp=${exp}&sig=${url.searchParams.get('sig')}`)).status).toBe(403);
  });
});

describe('the Host check', () => {
  it('refuses the local chat API and pages under a hostname that is not ours (DNS rebinding)', async () => {
    bot = await startTestBot({ PUBLIC_BASE_URL: 'https://saiwu.example.gov.cn' });
    const port = new URL(bot.url).port;
    const body = JSON.stringify({ chatId: 'g', userId: 'admin', userName: '王主席', text: '/unit add 恶意单位' });
    const evil = await request(`${bot.url}/api/local/messages`, { method: 'POST', host: `rebind.attacker.example:${port}`, body, headers: { 'content-type': 'application/json' } });
    expect(evil.status).toBe(421);
    expect(await bot.app.db.unit.count()).toBe(0);
    expect((await request(`${bot.url}/`, { host: `rebind.attacker.example:${port}` })).status).toBe(421);
    expect((await request(`${bot.url}/api/local/chats`, { host: 'evil' })).status).toBe(421);
    // Loopback names and PUBLIC_BASE_URL's host are ours; the health check answers anyone.
    expect((await request(`${bot.url}/api/local/chats`, { host: `localhost:${port}` })).status).toBe(200);
    expect((await request(`${bot.url}/api/local/chats`, { host: `[::1]:${port}` })).status).toBe(200);
    expect((await request(`${bot.url}/api/local/chats`, { host: 'saiwu.example.gov.cn' })).status).toBe(200);
    expect((await request(`${bot.url}/healthz`, { host: 'lb.internal' })).status).toBe(200);
    const ok = await request(`${bot.url}/api/local/messages`, { method: 'POST', host: `127.0.0.1:${port}`, body, headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
  });
});

describe('the dashboard cookie', () => {
  it('holds an HMAC of ADMIN_TOKEN, not the token, HttpOnly, SameSite=Strict, Secure under https', async () => {
    const token = 'dashboard-token-5UwKq';
    bot = await startTestBot({ ADMIN_TOKEN: token, PUBLIC_BASE_URL: 'https://saiwu.example.gov.cn' });
    const page = await fetch(`${bot.url}/admin/queues?token=${token}`);
    expect(page.status).toBe(200);
    const setCookie = page.headers.get('set-cookie')!;
    expect(setCookie).not.toContain(token);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Secure/);
    const cookie = setCookie.split(';')[0];
    expect((await fetch(`${bot.url}/admin/queues/api/queues`, { headers: { cookie } })).status).toBe(200);
    // The token itself in the cookie (what the old cookie held) no longer opens it.
    expect((await fetch(`${bot.url}/admin/queues/api/queues`, { headers: { cookie: `saiwu_admin=${token}` } })).status).toBe(401);
  });

  it('is not Secure on a plain-http local address', async () => {
    bot = await startTestBot({ ADMIN_TOKEN: 'dashboard-token-5UwKq' });
    const page = await fetch(`${bot.url}/admin/queues?token=dashboard-token-5UwKq`);
    expect(page.headers.get('set-cookie')).not.toMatch(/Secure/);
  });
});

describe('DATA_DIR', () => {
  it('is 0700, and the server key in it 0600', async () => {
    bot = await startTestBot();
    expect(fs.statSync(bot.dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(bot.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});
