// /standings, /weights, /stats, /score and /board through the local chat API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, textOf, type TestBot } from './support/harness.js';
import { download, fileKnownYear, standingsRows } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => bot.close());

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('/standings', () => {
  it('ranks the units with the parts of each score, the weights used and a chart', async () => {
    const { admin } = await fileKnownYear(bot);
    const replies = await bot.say(admin, '/standings');
    const table = textOf(replies);
    // 西城: 逾期计划5 + 总结按时10 + 1项×5 + 重点项目 20×1/1 (its one designated project has a competition)
    // + 参与率 20×2000/4000=10 + 省级10 = 60
    // 东城: 计划按时10 + 10 + 2项×5 + 重点项目 20×1/2 (快速路工程 has a competition, 供水管网改造 none) + 参与率 20×1000/5000=4
    // (its two competitions may be the same workers: the larger counts) + 市级6 = 50
    const lines = table.split('\n');
    expect(lines[0]).toBe('2027年度「测试区总工会」下属单位综合排名');
    // No year-end report yet: 年报按时 0 for all three (each is asked for one). One line per unit, as a
    // phone shows it — no columns padded with spaces.
    const { labels, rows } = standingsRows(replies);
    // On a phone each unit is one line of facts a cadre recognises; the points per part are the card's
    // and the Excel's columns (and /排名 <单位> explains them).
    expect(lines[1]).toBe('1. 西城街道工会 60分（计划1项含逾期1 总结1/1 重点项目1/1 参与率50% 获奖1项 年报未交）');
    expect(lines[2]).toBe('2. 东城街道工会 50分（计划2项✓ 总结2/2 重点项目1/2 参与率20% 获奖1项 年报未交）');
    expect(lines[3]).toBe('3. 高新园区工会 0分（未填报）');
    expect(labels).toEqual(['计划按时', '总结按时', '竞赛项数', '重点项目', '参与率', '获奖', '年报按时']);
    expect(rows[0]).toEqual(['1', '西城街道工会', '60', '5', '10', '5', '20', '10', '10', '0']);
    expect(rows[1]).toEqual(['2', '东城街道工会', '50', '10', '10', '10', '10', '4', '6', '0']);
    // 高新园区 has no designated key project: that part does not apply (不计).
    expect(rows[2]).toEqual(['3', '高新园区工会（未填报）', '0', '0', '0', '0', '—', '0', '0', '0']);
    expect(table).not.toMatch(/ {2}/);
    expect(table).toContain('某单位每项得分和提分办法：/排名 单位名称；计分办法：/权重 说明');
    expect(table).toContain('查看全部（Excel）：发送 /导出 排名');

    const image = replies.find((r) => r.kind === 'image');
    expect(image).toBeDefined();
    const { width, height } = pngSize(await download(bot, (image as { url: string }).url));
    expect(width).toBeGreaterThan(600);
    expect(height).toBeGreaterThan(150);
    expect(height).toBeLessThan(2000);
  });

  it("shows a filer their own unit's place under the ranking, with what would raise its score most", async () => {
    const { admin, east } = await fileKnownYear(bot);
    const mine = textOf(await bot.say(east, '/排名'));
    // 东城 gains most from participation (20% of 20 points) and its uncovered key project (10 points).
    expect(mine).toContain('您的单位「东城街道工会」：第2名，50分。提分：再有4,000人参与可得满分；「供水管网改造」还没有竞赛，每覆盖1个加10分（计划里“重点项目”写明名称）。详情：/排名 东城街道工会');
    // An admin ranks no unit of their own: no such line.
    expect(textOf(await bot.say(admin, '/排名'))).not.toContain('您的单位');
  });

  it('ranks plan filing on its own and rejects words it does not know', async () => {
    const { admin } = await fileKnownYear(bot);
    const plan = textOf(await bot.say(admin, '/排名 计划'));
    // 西城: 逾期5 + 5 + 重点项目覆盖20 + 参与率10 = 40; 东城: 10 + 10 + 20×1/2=10 + 4 = 34
    expect(plan).toContain('1. 西城街道工会 40分');
    expect(plan).toContain('2. 东城街道工会 34分');
    expect(textOf(await bot.say(admin, '/standings 本月'))).toContain('看不懂“本月”');
  });

  it('an admin changes the weights and the standings use them; others cannot', async () => {
    const { admin, east } = await fileKnownYear(bot);
    expect(textOf(await bot.say(east, '/weights set 市级=9'))).toContain('只有管理员');
    expect(textOf(await bot.say(admin, '/weights set 参与率=x'))).toContain('“参与率”请写不小于0的数字');
    expect(textOf(await bot.say(admin, '/权重 set 计划按时=20 市级=12'))).toContain('✅ 已修改');
    const table = textOf(await bot.say(admin, '/standings'));
    // 东城: 20 + 10 + 10 + 10 + 4 + 12 = 66; 西城: 逾期 20×0.5=10 + 10 + 5 + 20 + 10 + 10 = 65
    expect(table).toContain('1. 东城街道工会 66分');
    expect(table).toContain('2. 西城街道工会 65分');
    expect(standingsRows(await bot.say(admin, '/standings')).rows[0].slice(0, 4)).toEqual(['1', '东城街道工会', '66', '20']);
    expect(textOf(await bot.say(east, '/weights'))).toContain('市级12');
  });

  it('explains one unit\'s score part by part, with the figures behind each part and what would raise it', async () => {
    const { admin, east } = await fileKnownYear(bot);
    const explained = textOf(await bot.say(admin, '/排名 东城街道工会'));
    expect(explained).toContain('2027年度「东城街道工会」综合得分：50分，在「测试区总工会」下属3个单位中排第2名。');
    expect(explained).toContain('计划按时：得10分（满分10）。计划2项，都按时');
    expect(explained).toContain('重点项目：得10分（满分20）。名单内重点项目2个，已开展竞赛1个，覆盖50%；「供水管网改造」还没有竞赛，每覆盖1个加10分');
    expect(explained).toContain('参与率20%：得4分（满分20）。参与1,000人，职工5,000人；再有4,000人参与可得满分');
    expect(explained).toContain('获奖：得6分（满分30）。获奖1项，共6分，最多计30分');
    expect(explained).toContain('年报按时：得0分（满分10）。还没有提交年度报告；提交年度报告');
    // The parts add up to the score.
    const parts = [...explained.matchAll(/：得([\d.]+)分/g)].map((m) => Number(m[1]));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(50);
    // A filer privately sees their own unit; a name outside what one may see is unknown.
    expect(textOf(await bot.say({ ...east, chatId: 'east-p2p', chatType: 'p2p' }, '/排名 东城街道工会'))).toContain('得分：50分');
    expect(textOf(await bot.say({ ...east, chatId: 'east-p2p', chatType: 'p2p' }, '/排名 西城街道工会'))).toContain('看不懂“西城街道工会”');
  });

  it('publishes the method with the weights in force, so a unit can recompute its score', async () => {
    const { admin, east } = await fileKnownYear(bot);
    expect(textOf(await bot.say(east, '/weights'))).toContain('计分办法：发送“/权重 说明”');
    const method = textOf(await bot.say(east, '/权重 说明'));
    expect(method).toContain('2027年度排名计分办法');
    expect(method).toContain('未交总结只在这一项扣分');
    expect(method).toContain('3. 竞赛项数（满分25）：每项竞赛5分，最多计5项');
    expect(method).toContain('参与人数取总结的实际人数，未交总结的取计划人数');
    await bot.say(admin, '/weights set 市级=9 逾期系数=0.3');
    const changed = textOf(await bot.say(east, '/weights 说明'));
    expect(changed).toContain('市级9');
    expect(changed).toContain('逾期的按0.3计');
  });
});

describe('/stats', () => {
  it('counts filed, on time, late and missing, and the year totals', async () => {
    const { admin } = await fileKnownYear(bot);
    const stats = textOf(await bot.say(admin, '/统计'));
    expect(stats).toContain('计划备案（截止2027年2月28日）：应交3个单位，已交2（按时1，逾期1），未交1');
    expect(stats).toContain('总结表（截止2027年10月15日）：应交3个单位，已交2（按时2，逾期0），未交1');
    expect(stats).toContain('年度报告（截止2027年12月31日）：应交3个单位，已交0（按时0，逾期0），未交3');
    expect(stats).toContain('竞赛项目：备案3项（重点项目2项），已交总结3项');
    expect(stats).toContain('重点项目名单：3个，已有竞赛2个，还没有1个（/重点项目 查看）');
    expect(stats).toContain('参与人数：计划3,500人，实际3,500人');
    expect(stats).toContain('经费支出：100,000.5元');
    expect(stats).toContain('获奖：2项');
  });
});

describe('/score and /board', () => {
  it('records scores per team and criterion, keeps every change, and ranks with weights', async () => {
    const { admin, east } = await fileKnownYear(bot);
    expect(textOf(await bot.say(east, '/board add 地铁竞赛 质量=60 安全=40'))).toContain('只有管理员');
    expect(textOf(await bot.say(admin, '/榜单 add 地铁竞赛 质量=60 安全=40'))).toContain('✅ 已创建竞赛榜单“地铁竞赛”');
    // Scoring is for admins and judges, not for every filer.
    expect(textOf(await bot.say(east, '/score 地铁竞赛 一标段 质量=90 安全=80'))).toContain('“/打分”只有管理员和评委可以使用');
    expect(await bot.app.db.score.count()).toBe(0);
    expect(textOf(await bot.say(admin, '/评委 添加 @东城李干事', { mentions: [{ userId: east.userId, userName: east.userName }] }))).toContain('已将 东城李干事 设为评委');
    expect(textOf(await bot.say(east, '/score 地铁竞赛 一标段 质量=90 安全=80'))).toContain('✅ 已记录');
    expect(textOf(await bot.say(east, '/打分 地铁竞赛 二标段 质量=80 安全=95'))).toContain('✅ 已记录');
    expect(textOf(await bot.say(east, '/score 地铁竞赛 三标段 进度=80'))).toContain('没有“进度”这个指标');
    // 一标段 90×0.6 + 80×0.4 = 86; 二标段 80×0.6 + 95×0.4 = 86 → tie
    let board = textOf(await bot.say(admin, '/board 地铁竞赛'));
    expect(board).toContain('1. 一标段 86分（质量90 安全80）');
    expect(board).toContain('1. 二标段 86分（质量80 安全95）');
    expect(board).toContain('质量(60)');

    const changed = textOf(await bot.say(admin, '/score 地铁竞赛 二标段 安全=100'));
    expect(changed).toContain('安全：100（原为95');
    board = textOf(await bot.say(admin, '/board 地铁竞赛'));
    expect(board).toContain('1. 二标段 88分（质量80 安全100）');
    expect(board).toContain('2. 一标段 86分（质量90 安全80）');

    const score = await bot.app.db.score.findFirstOrThrow({ where: { team: '二标段', criterion: '安全' } });
    const revisions = await bot.app.db.revision.findMany({ where: { entity: 'score', entityId: score.id }, orderBy: { id: 'asc' } });
    expect(revisions.map((r) => [r.action, r.actorName, JSON.parse(r.newValues).value])).toEqual([['create', '东城李干事', 95], ['update', '王主席', 100]]);
    expect(JSON.parse(revisions[1].previousValues!).value).toBe(95);
  });
});
