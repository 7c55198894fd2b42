// The local chat page in a real browser (Debian's chromium driven by playwright-core, nothing
// downloaded): a filer picks who they are and the group, sends /plan, fills the plan form as an HTML
// form and sees the bot's receipt bubble; or answers /填表's questions one message at a time.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Resvg } from '@resvg/resvg-js';
import { setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser && process.env.SAIWU_REQUIRE_BROWSER) {
  throw new Error(`SAIWU_REQUIRE_BROWSER is set but ${CHROMIUM} is missing; install it with: apt-get install -y chromium`);
}
if (!haveBrowser) console.warn(`[browser.test] skipped: ${CHROMIUM} not found (apt-get install -y chromium; set SAIWU_REQUIRE_BROWSER=1 to make this a failure)`);

let bot: TestBot;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!haveBrowser) return;
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

/** Sets one of the page's identity fields as a person would: type, then leave the field. */
async function pick(field: '#userId' | '#userName' | '#chatId', value: string): Promise<void> {
  await page.fill(field, value);
  await page.dispatchEvent(field, 'change');
}

describe.skipIf(!haveBrowser)('the local chat page', () => {
  it('lets a filer send /plan, fill the plan form and see the receipt bubble', async () => {
    const { east, chatId } = await setUpDistrict(bot);
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');

    await page.goto(bot.url);
    await pick('#userId', east.userId);
    await pick('#userName', east.userName);
    await pick('#chatId', chatId);
    // The group's earlier messages (the admin's set-up and the filer's /join) are shown as bubbles.
    await expect.poll(() => page.locator('.row[data-from="bot"] .bubble').count()).toBeGreaterThan(3);

    await page.fill('#text', '/plan');
    await page.click('#send');
    const form = page.locator('form.card[data-form="plan"]').last();
    await form.waitFor();
    await form.getByLabel('企业名称').fill('东城建设集团有限公司');
    await form.getByLabel('竞赛项目').fill('快速路“五比一创”劳动竞赛');
    await form.getByLabel('组织方式').fill('工会与项目部联合组织，按标段开展');
    await form.getByLabel('参与人数').fill('320');
    // 时间安排 is written as on paper, in the cadre's words.
    await form.getByLabel('时间安排').fill('3月中旬至10月底');
    await form.getByLabel('竞赛类型').selectOption({ label: '五比一创' });
    await form.getByLabel('重点项目').selectOption({ label: '是' });
    await form.getByLabel('经费预算').fill('80000');
    await form.getByRole('button', { name: '提交' }).click();

    const receipt = page.locator('.row[data-from="bot"] .bubble', { hasText: '计划编号' }).last();
    await receipt.waitFor({ timeout: 10_000 });
    const receiptText = await receipt.innerText();
    expect(receiptText).toMatch(/✅ 竞赛计划已收到：计划编号 #\d+/);
    // The range as the cadre wrote it, with how the bot reads it.
    expect(receiptText).toContain('3月中旬至10月底（按2027年3月11日至2027年10月31日计）');
    // The submitted form is greyed out so it is not sent twice by accident.
    await expect.poll(() => form.getByRole('button', { name: '提交' }).isDisabled()).toBe(true);

    // What the page showed is what the bot stored.
    const transcript = await bot.transcript(chatId);
    expect(transcript.some((m) => m.fromBot && m.text.includes('竞赛计划已收到'))).toBe(true);
  }, 60_000);

  // The next two tests continue in the group the first one set up (tests in a file run in order).
  it('shows a rejected form again with the bad field marked and the other values kept', async () => {
    const chatId = 'district-group';
    await page.goto(bot.url);
    await pick('#userId', 'east');
    await pick('#chatId', chatId);
    const forms = page.locator('form.card[data-form="plan"]');
    // The first test's (submitted) form is already in the history; wait for the new one.
    await expect.poll(() => forms.count()).toBe(1);
    await page.fill('#text', '/计划');
    await page.press('#text', 'Enter');
    await expect.poll(() => forms.count()).toBe(2);
    const form = forms.last();
    await form.getByLabel('企业名称').fill('东城供水有限公司');
    await form.getByLabel('竞赛项目').fill('供水管网安康杯竞赛');
    await form.getByLabel('组织方式').fill('班组参加');
    await form.getByLabel('参与人数').fill('-5');
    await form.getByLabel('时间安排').fill('2027年4月1日至11月30日');
    await form.getByLabel('竞赛类型').selectOption({ label: '安康杯' });
    await form.getByLabel('重点项目').selectOption({ label: '否' });
    await form.getByRole('button', { name: '提交' }).click();

    await expect.poll(() => forms.count()).toBe(3);
    const again = forms.last();
    await expect.poll(() => again.locator('.field.invalid[data-key="participants"] .err').innerText()).toContain('负数');
    expect(await again.getByLabel('企业名称').inputValue()).toBe('东城供水有限公司');
    expect(await again.getByLabel('时间安排').inputValue()).toBe('2027年4月1日至11月30日');
  }, 60_000);

  it('fills a form one question at a time (/填表), each question a bot message, saved only after 确认', async () => {
    const chatId = 'district-group';
    await page.goto(bot.url);
    await pick('#userId', 'east');
    await pick('#chatId', chatId);
    await page.locator('.row').first().waitFor();
    const plan = await bot.app.db.plan.findFirstOrThrow({ where: { project: '快速路“五比一创”劳动竞赛' } });
    const ask = async (answer: string, expected: string) => {
      const before = await page.locator('.row[data-from="bot"] .bubble').count();
      await page.fill('#text', answer);
      await page.press('#text', 'Enter');
      const bubble = page.locator('.row[data-from="bot"] .bubble', { hasText: expected }).last();
      await expect.poll(async () => (await page.locator('.row[data-from="bot"] .bubble').count()) > before && (await bubble.count()) > 0).toBe(true);
      return bubble.innerText();
    };
    const first = await ask('/填表 进度', '（第 1/4 项）请回复「计划编号」');
    expect(first).toContain(`#${plan.id} 快速路“五比一创”劳动竞赛`);
    await ask(String(plan.id), '「日期」');
    expect(await ask('明年', '「日期」')).toContain('请重新回复');
    await ask('2月9日', '「进展情况」');
    await ask('召开劳动竞赛动员大会，签订责任书', '「累计参与人数」');
    expect(await ask('跳过', '请核对【竞赛进度】')).toContain('进展情况：召开劳动竞赛动员大会，签订责任书');
    expect(await bot.app.db.progressUpdate.count()).toBe(0);
    expect(await ask('确认', '竞赛进度已收到')).toContain(`计划编号 #${plan.id}`);
    expect(await bot.app.db.progressUpdate.count()).toBe(1);
  }, 60_000);

  it('shows a message the bot sends on its own (image, file, @mention) without the user doing anything', async () => {
    const chatId = 'district-group';
    await page.goto(bot.url);
    await pick('#userId', 'east');
    await pick('#chatId', chatId);
    await page.locator('.row').first().waitFor();

    // What a scheduled job does: send through the platform's ChatSender.
    const png = new Resvg('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><rect width="240" height="120" fill="#fff"/><rect x="20" y="30" width="160" height="40" fill="#07c160"/></svg>').render().asPng();
    await bot.app.senders.get('local')!.send(chatId, [
      { kind: 'text', text: '请尽快提交竞赛计划。', mentions: [{ userId: 'east', userName: '东城李干事' }] },
      { kind: 'image', fileName: '进度.png', data: Buffer.from(png) },
      { kind: 'file', fileName: '计划汇总.csv', data: Buffer.from('单位,计划数\n东城街道工会,1\n'), caption: '2027年计划汇总' },
    ]);

    const nudge = page.locator('.row[data-from="bot"] .bubble.to-me', { hasText: '请尽快提交竞赛计划' });
    await nudge.waitFor({ timeout: 10_000 });
    expect(await nudge.locator('.mention.me').innerText()).toBe('@东城李干事');

    const image = page.locator('.row[data-kind="image"] img').last();
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);

    const link = page.locator('.row[data-kind="file"] a', { hasText: '计划汇总.csv' }).last();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('计划汇总.csv');
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain('东城街道工会,1');
  }, 60_000);

  it('on a phone (390×844), /standings is a chart and a list, with nothing wider than its bubble', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      // The district of the first test, where 东城 has filed a plan.
      const chatId = 'district-group';
      await phone.goto(bot.url);
      // On a phone the identity fields fold into the one-line header until it is tapped.
      await phone.tap('#summary');
      for (const [field, value] of [['#userId', 'admin'], ['#userName', '王主席'], ['#chatId', chatId]] as const) {
        await phone.fill(field, value);
        await phone.dispatchEvent(field, 'change');
      }
      await phone.fill('#text', '/排名');
      await phone.click('#send');
      const list = phone.locator('.row[data-from="bot"] .bubble', { hasText: '1. 东城街道工会' }).last();
      await list.waitFor({ timeout: 10_000 });
      await phone.locator('.row[data-kind="image"] img').last().waitFor();
      const overflow = await list.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      // One line per unit, no columns padded with spaces.
      expect(await list.innerText()).not.toMatch(/ {2}/);
    } finally {
      await phone.close();
    }
  }, 60_000);
});
