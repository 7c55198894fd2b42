// The local chat page as a newcomer meets it, in real Chromium on a phone (390×844): after
// `npm run demo` it opens in the demo group as the demo admin and says who else to be; on a fresh
// install without ADMINS an admin-only command says how to become the first admin; the header is one
// line until tapped; a failed send says why in Chinese and stays; a corrected, accepted form loses its
// red marks; "@某人" in help text is not a mention.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadDemo } from '../src/demo.js';
import { refusalText } from '../src/services/access.js';
import { setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser && process.env.SAIWU_REQUIRE_BROWSER) {
  throw new Error(`SAIWU_REQUIRE_BROWSER is set but ${CHROMIUM} is missing; install it with: apt-get install -y chromium`);
}
if (!haveBrowser) console.warn(`[local-page.test] skipped: ${CHROMIUM} not found (apt-get install -y chromium; set SAIWU_REQUIRE_BROWSER=1 to make this a failure)`);

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!haveBrowser) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
});

/** A phone that has never opened the page (its own, empty localStorage). */
async function phone(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Sets identity fields as a person on a phone does: open the header, type, leave the field. */
async function pick(page: Page, fields: [string, string][]): Promise<void> {
  if (!(await page.locator('#userId').isVisible())) await page.tap('#summary');
  for (const [field, value] of fields) {
    await page.fill(field, value);
    await page.dispatchEvent(field, 'change');
  }
}

/** Sends a message from the input box and waits for a new bot bubble; returns its text. */
/** Sends `text` and returns the bot's first bubble after the sender's own, however the page refreshes. */
async function say(page: Page, text: string): Promise<string> {
  const mine = page.locator('.row:not([data-from="bot"])');
  const before = await mine.count();
  await page.fill('#text', text);
  await page.tap('#send');
  const answer = () => page.evaluate(({ text, before }) => {
    const rows = [...document.querySelectorAll('.row')];
    const own = rows.filter((r) => r.getAttribute('data-from') !== 'bot');
    const sent = own.slice(before).find((r) => (r as HTMLElement).innerText.includes(text));
    if (!sent) return '';
    const reply = rows.slice(rows.indexOf(sent) + 1).find((r) => r.getAttribute('data-from') === 'bot');
    return reply ? (reply as HTMLElement).innerText : '';
  }, { text, before });
  await expect.poll(answer, { timeout: 10_000 }).not.toBe('');
  return answer();
}

describe.skipIf(!haveBrowser)('the local chat page for a newcomer, on a phone', () => {
  describe('after npm run demo', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startTestBot();
      bot.setNow('2027-02-10T10:00:00+08:00');
      await loadDemo(bot.app);
    }, 60_000);
    afterAll(async () => bot?.close());

    it('opens in the demo group as the demo admin, with a welcome naming who else to speak as', async () => {
      const page = await phone(bot.url);
      await expect.poll(() => page.locator('#summary').innerText()).toMatch(/示范区劳动竞赛工作群\s*·\s*我是 区总工会王主席/);
      const welcome = page.locator('.row[data-from="bot"] .bubble').first();
      await welcome.waitFor();
      const said = await welcome.innerText();
      expect(said).toContain('demo-admin（区总工会王主席，管理员）');
      expect(said).toContain('demo-dongcheng（东城街道李干事，联络员）');
      await page.tap('#summary');
      expect(await page.inputValue('#userId')).toBe('demo-admin');
      expect(await page.inputValue('#chatId')).toBe('demo-district-group');

      // Speaking as the admin works at once: the demo's units are listed.
      expect(await say(page, '/单位列表')).toContain('东城街道工会');
    }, 60_000);

    it('keeps the identity a person chose, over the demo landing, when the page is opened again', async () => {
      const page = await phone(bot.url);
      await pick(page, [['#userId', 'demo-dongcheng']]);
      // The name of a registered person comes with their id.
      await expect.poll(() => page.inputValue('#userName')).toBe('东城街道李干事');
      await page.reload();
      await expect.poll(() => page.locator('#summary').innerText()).toContain('我是 东城街道李干事');
      // A filer asking for an admin command where admins exist: today's wording.
      expect(await say(page, '/单位 添加 北城街道工会')).toContain('“/单位 添加”只有管理员可以使用。如需开通，请联系本群管理员。');
    }, 60_000);
  });

  describe('a fresh install without ADMINS', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startTestBot({ ADMINS: '' });
    }, 60_000);
    afterAll(async () => bot?.close());

    it('tells whoever asks for an admin command how to become the first admin, naming their own id', async () => {
      const page = await phone(bot.url);
      await expect.poll(() => page.locator('#summary').innerText()).toContain('我是 张三');
      const refused = await say(page, '/单位 添加 测试区总工会');
      expect(refused).toContain('“/单位 添加”只有管理员可以使用');
      expect(refused).toContain('ADMINS=local:zhang npm start');
      expect(refused).not.toContain('请联系本群管理员');

      await pick(page, [['#userId', 'li'], ['#userName', '李四']]);
      expect(await say(page, '/绑定 测试区总工会')).toContain('ADMINS=local:li npm start');
    }, 60_000);

    it('on the other platforms, points to ADMINS (Lark, WeCom) or to the claim code (WeChat)', async () => {
      const ask = (platform: string, userId: string) => refusalText(bot.app.db, [], '/bind', { platform, userId, binding: null });
      expect(await ask('lark', 'ou_7d8a6e')).toContain('ADMINS=lark:ou_7d8a6e');
      expect(await ask('wecom', 'zhangsan')).toContain('ADMINS=wecom:zhangsan');
      const wechat = await ask('wechat', '@abc123');
      expect(wechat).toContain('/管理员 认领');
      expect(wechat).not.toContain('ADMINS');
    });
  });

  describe('in a working district', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startTestBot();
      bot.setNow('2027-02-10T10:00:00+08:00');
      const { east } = await setUpDistrict(bot);
      expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');
    }, 60_000);
    afterAll(async () => bot?.close());

    it('shows a one-line header on a phone that opens the identity fields when tapped', async () => {
      const page = await phone(bot.url);
      await page.locator('#summary').waitFor();
      const header = await page.locator('header').boundingBox();
      expect(header!.height).toBeLessThanOrEqual(52);
      expect(await page.locator('#userId').isVisible()).toBe(false);
      // One line: the summary does not wrap.
      const summary = await page.locator('#summary .chat').boundingBox();
      expect(summary!.height).toBeLessThanOrEqual(26);

      await page.tap('#summary');
      expect(await page.locator('#userId').isVisible()).toBe(true);
      expect(await page.locator('#chatId').isVisible()).toBe(true);
      const open = await page.locator('header').boundingBox();
      expect(open!.x + open!.width).toBeLessThanOrEqual(390);
      // Starting to type a message folds the fields away again.
      await page.tap('#text');
      await expect.poll(() => page.locator('#userId').isVisible()).toBe(false);

      // On a wide screen the fields are always there.
      const desk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        await desk.goto(bot.url);
        expect(await desk.locator('#userId').isVisible()).toBe(true);
      } finally {
        await desk.close();
      }
    }, 60_000);

    it('says in Chinese why a send failed, keeps saying it, and keeps the message to send again', async () => {
      const page = await phone(bot.url);
      await pick(page, [['#userId', 'east'], ['#userName', '东城李干事'], ['#chatId', 'district-group']]);
      await page.locator('.row').first().waitFor();

      // The server fails as Fastify does by default: an English error body.
      await page.route('**/api/local/messages', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }) }));
      await page.fill('#text', '/我的');
      await page.tap('#send');
      const status = page.locator('#status');
      await expect.poll(() => status.innerText()).toContain('发送失败：机器人出错了（错误 500）');
      expect(await status.innerText()).not.toMatch(/Internal|Error/);
      expect(await page.inputValue('#text')).toBe('/我的');
      // The page refreshes the chat every 2 seconds; the error outlives that.
      await page.waitForTimeout(4500);
      expect(await status.isVisible()).toBe(true);
      expect(await status.innerText()).toContain('发送失败');

      // The bot cannot be reached at all.
      await page.unroute('**/api/local/messages');
      await page.route('**/api/local/messages', (route) => route.abort('connectionrefused'));
      await page.tap('#send');
      await expect.poll(() => status.innerText()).toContain('发送失败：连不上机器人');
      await page.waitForTimeout(2500);
      expect(await status.innerText()).toContain('连不上机器人');

      // Once a send goes through, the error goes.
      await page.unroute('**/api/local/messages');
      const bubbles = page.locator('.row[data-from="bot"]');
      const before = await bubbles.count();
      await page.tap('#send');
      await expect.poll(() => bubbles.count()).toBeGreaterThan(before);
      expect(await status.isVisible()).toBe(false);
      expect(await page.inputValue('#text')).toBe('');
    }, 60_000);

    it('takes the red marks off a corrected form once it is accepted, also after a reload', async () => {
      const page = await phone(bot.url);
      await pick(page, [['#userId', 'east'], ['#userName', '东城李干事'], ['#chatId', 'district-group']]);
      await page.locator('.row').first().waitFor();
      const forms = page.locator('form.card[data-form="plan"]');
      await page.fill('#text', '/计划');
      await page.tap('#send');
      await expect.poll(() => forms.count()).toBe(1);
      const first = forms.last();
      await first.getByLabel('企业名称').fill('东城供水有限公司');
      await first.getByLabel('竞赛项目').fill('供水管网安康杯竞赛');
      await first.getByLabel('组织方式').fill('班组参加');
      await first.getByLabel('参与人数').fill('-5');
      await first.getByLabel('时间安排').fill('2027年4月1日至11月30日');
      await first.getByLabel('竞赛类型').selectOption({ label: '安康杯' });
      await first.getByLabel('重点项目').selectOption({ label: '否' });
      await first.getByRole('button', { name: '提交' }).tap();

      await expect.poll(() => forms.count()).toBe(2);
      const again = forms.last();
      await expect.poll(() => again.locator('.field.invalid .err').count()).toBe(1);
      await again.getByLabel('参与人数').fill('150');
      await again.getByRole('button', { name: '提交' }).tap();
      await page.locator('.row[data-from="bot"] .bubble', { hasText: '竞赛计划已收到' }).waitFor({ timeout: 10_000 });

      await expect.poll(() => again.getByRole('button', { name: '提交' }).isDisabled()).toBe(true);
      expect(await page.locator('form.card .field.invalid, form.card .err').count()).toBe(0);
      await page.reload();
      await expect.poll(() => forms.count()).toBe(2);
      expect(await page.locator('form.card .field.invalid, form.card .err').count()).toBe(0);
    }, 60_000);

    it('does not mark "@某人" in help text as a mention', async () => {
      const page = await phone(bot.url);
      await pick(page, [['#userId', 'east'], ['#userName', '东城李干事'], ['#chatId', 'district-group']]);
      await page.locator('.row').first().waitFor();
      const help = await say(page, '/帮助 同意');
      expect(help).toContain('@某人');
      expect(await page.locator('.row[data-from="bot"] .bubble').last().locator('.mention').count()).toBe(0);
      // A real mention still is one: the bot's name in the person's own message.
      await say(page, '@赛务助手 /我的');
      expect(await page.locator('.row[data-from="east"] .bubble').last().locator('.mention').innerText()).toBe('@赛务助手');
    }, 60_000);
  });
});
