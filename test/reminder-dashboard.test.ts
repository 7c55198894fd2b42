// The queue dashboard at /admin/queues: closed without ADMIN_TOKEN, refuses requests without the token.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './support/harness.js';

let bot: TestBot | undefined;
afterEach(async () => bot?.close());

describe('queue dashboard', () => {
  it('stays closed when ADMIN_TOKEN is not set', async () => {
    bot = await startTestBot();
    const res = await fetch(`${bot.url}/admin/queues`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('ADMIN_TOKEN');
  });

  it('asks for the token, then serves the dashboard and its API', async () => {
    bot = await startTestBot({ ADMIN_TOKEN: 'board-secret-123' });
    expect((await fetch(`${bot.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${bot.url}/admin/queues?token=wrong`)).status).toBe(401);
    const page = await fetch(`${bot.url}/admin/queues?token=board-secret-123`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const api = await fetch(`${bot.url}/admin/queues/api/queues`, { headers: { cookie } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('reminders');
    expect((await fetch(`${bot.url}/admin/queues/api/queues`)).status).toBe(401);
  });
});
