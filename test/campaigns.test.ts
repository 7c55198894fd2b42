// Several campaigns: a special campaign beside the annual one in the same year, two federations in
// one installation, and a database from before campaigns had owners migrated without loss.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { reminderRuntime, stageJobId } from '../jobs/reminder-queue.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PLAN = (enterprise: string, project: string) =>
  `【竞赛计划】\n企业名称：${enterprise}\n竞赛项目：${project}\n组织方式：工会与项目部联合组织\n参与人数：120\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：是`;

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

describe('a special campaign beside the annual one', () => {
  it('shares the year, is bound by number or title, and keeps its own filings, roll-calls and reminders', async () => {
    bot = await startTestBot();
    bot.setNow('2027-06-20T10:00:00+08:00');
    const d = await setUpDistrict(bot); // the annual 2027 campaign, bound in district-group
    const say = async (who: LocalUser, text: string) => textOf(await bot!.say(who, text));
    expect(await say(d.east, '/join 东城街道工会')).toContain('已登记');

    // The Songjiang-style special campaign: July–November, plans due 20 August.
    const created = await say(d.admin, '/campaign add 2027 标题=2027年“三比一创”专项劳动竞赛 计划截止=2027-08-20 总结截止=2027-10-15 年报截止=2027-11-30');
    expect(created).toContain('✅ 已创建竞赛年度');
    expect(created).toContain('组织单位：测试区总工会');
    const special = (await bot.app.db.campaign.findFirst({ where: { title: { contains: '专项' } } }))!;
    expect(created).toContain(`/绑定 单位名称 #${special.id}`); // the year alone no longer names one
    expect(await say(d.admin, '/campaign add 2027 标题=2027年“三比一创”专项劳动竞赛')).toContain('已经创建过了');

    const specialGroup = { ...d.admin, chatId: 'special-group' };
    expect(await say(specialGroup, '/bind 测试区总工会 2027')).toContain('2027年度有 2 项竞赛，请写编号');
    expect(await say(specialGroup, '/bind 测试区总工会')).toContain('请写明绑定哪一项');
    expect(await say(specialGroup, '/bind 测试区总工会 2027年“三比一创”专项劳动竞赛')).toContain('✅ 本群已绑定到「测试区总工会」· 2027年“三比一创”专项劳动竞赛');
    expect(await say(specialGroup, `/bind 测试区总工会 #${special.id}`)).toContain('✅ 本群已改为绑定');

    const listed = await say(d.admin, '/campaign');
    expect(listed).toContain('本群绑定的竞赛：\n#1 2027年度测试区职工劳动和技能竞赛');
    expect(listed).toContain(`· #${special.id} 2027年“三比一创”专项劳动竞赛\n`);

    // A plan filed in each group lands in that group's campaign.
    expect(await say(d.east, PLAN('东城建设集团', '年度快速路劳动竞赛'))).toContain('竞赛计划已收到');
    expect(await say({ ...d.east, chatId: 'special-group' }, PLAN('东城建设集团', '专项技能比武'))).toContain('竞赛计划已收到');
    const plans = await bot.app.db.plan.findMany({ orderBy: { id: 'asc' } });
    expect(plans.map((p) => [p.project, p.campaignId])).toEqual([['年度快速路劳动竞赛', 1], ['专项技能比武', special.id]]);

    // Roll-calls are per campaign: West filed nothing anywhere; East filed in both.
    const missingSpecial = await say({ ...d.east, chatId: 'special-group' }, '/missing plan');
    expect(missingSpecial).toContain('【计划备案】未交名单（2027年“三比一创”专项劳动竞赛）'); // two campaigns in 2027: named by title
    expect(missingSpecial).toContain('截止：2027年8月20日');
    expect(missingSpecial).toContain('已交 1/3 个单位');
    // Each campaign has its own reminder jobs.
    const queue = reminderRuntime(bot.app)!.queues.planner;
    expect(await queue.getJob(stageJobId({ campaignId: special.id, form: 'plan', deadline: '2027-08-20', stage: 'd14' }))).toBeTruthy();
    expect(await queue.getJob(stageJobId({ campaignId: 1, form: 'summary', deadline: '2027-10-15', stage: 'd14' }))).toBeTruthy();
  });
});

describe('changing and filing into the right campaign', () => {
  it('a change names its campaign when the group or the chat cannot; private filings follow their plan or ask', async () => {
    bot = await startTestBot();
    bot.setNow('2027-06-20T10:00:00+08:00');
    const d = await setUpDistrict(bot);
    const say = async (who: LocalUser, text: string) => textOf(await bot!.say(who, text));
    await say(d.east, '/join 东城街道工会');
    const created = await say(d.admin, '/campaign add 2027 标题=专项竞赛 计划截止=2027-05-01 总结截止=2027-10-15');
    const special = (await bot.app.db.campaign.findFirst({ where: { title: '专项竞赛' } }))!;
    // The advice names the special campaign: in this group a bare /campaign set changes the annual one.
    expect(created).toContain(`/竞赛 设置 #${special.id} 计划截止=`);
    expect(await say(d.admin, `/campaign set #${special.id} 计划截止=2027-07-31`)).toContain(`#${special.id} 专项竞赛（2027年度）`);
    expect((await bot.app.db.campaign.findUnique({ where: { id: special.id } }))!.planDeadline).toBe('2027-07-31');
    expect((await bot.app.db.campaign.findUnique({ where: { id: 1 } }))!.planDeadline).toBe('2027-02-28');
    // In a private chat with two campaigns, the admin must say which.
    const p2p = { ...d.admin, chatId: 'admin-p2p', chatType: 'p2p' } as LocalUser;
    expect(await say(p2p, '/campaign set 总结截止=2027-10-20')).toContain('有多项竞赛，请写明改哪一项');
    expect(await say(p2p, '/reminders set 时间=08:30')).toContain('有多项竞赛，请写明改哪一项');
    expect(await say(d.admin, `/campaign set #${special.id} 标题=2027年度测试区职工劳动和技能竞赛`)).toContain('已有竞赛叫「2027年度测试区职工劳动和技能竞赛」');

    // East's plan in the special campaign's group; its summary sent privately goes to the same campaign.
    const specialGroup = { ...d.admin, chatId: 'special-group' };
    await say(specialGroup, `/bind 测试区总工会 #${special.id}`);
    const receipt = await say({ ...d.east, chatId: 'special-group' }, PLAN('东城建设集团', '专项技能比武'));
    expect(receipt).toContain(`竞赛：#${special.id} 专项竞赛（2027年度）`);
    const planId = (await bot.app.db.plan.findFirstOrThrow({ where: { project: '专项技能比武' } })).id;
    const east = { ...d.east, chatId: 'east-p2p', chatType: 'p2p' } as LocalUser;
    bot.setNow('2027-10-08T10:00:00+08:00');
    expect(await say(east, `【竞赛总结】\n计划编号：${planId}\n实际参与人数：100\n经费支出：2000\n获奖级别：无`)).toContain('竞赛总结已收到');
    expect((await bot.app.db.summary.findFirstOrThrow()).planId).toBe(planId);
    // A new plan sent privately cannot be placed: the bot says so instead of guessing.
    const refused = await say(east, PLAN('东城建设集团', '另一项竞赛'));
    expect(refused).toContain('东城街道工会在2027年度参加 2 项竞赛');
    expect(refused).toContain('请在该竞赛的工作群里提交');
    expect(await bot.app.db.plan.count({ where: { project: '另一项竞赛' } })).toBe(0);
  });

  it('a street running its own campaign is told how to bind it; a unit moved to another federation takes its groups along', async () => {
    bot = await startTestBot();
    bot.setNow('2027-03-10T10:00:00+08:00');
    const d = await setUpDistrict(bot);
    const say = async (who: LocalUser, text: string) => textOf(await bot!.say(who, text));
    const streetGroup = { ...d.admin, chatId: 'east-group', chatTitle: '东城街道工作群' } as LocalUser;
    expect(await say(streetGroup, '/bind 东城街道工会')).toContain('✅');
    const own = await say(streetGroup, '/campaign add 2027 标题=东城专项');
    const eastCampaign = (await bot.app.db.campaign.findFirstOrThrow({ where: { title: '东城专项' } }));
    expect(own).toContain('组织单位：东城街道工会');
    expect(own).toContain(`/绑定 单位名称 #${eastCampaign.id}`);

    await say(d.admin, '/unit add 邻区总工会 上级=无');
    await say(d.admin, '/campaign add 2027 单位=邻区总工会 标题=邻区2027年度劳动竞赛');
    const moved = await say(d.admin, '/unit move 西城街道工会 上级=邻区总工会');
    expect(moved).toContain('✅ 已把「西城街道工会」移到「邻区总工会」下面');
    const westGroup = { ...d.admin, chatId: 'west-group', chatTitle: '西城街道工作群' } as LocalUser;
    await say(westGroup, '/bind 西城街道工会 2027'); // bound to the neighbour's campaign now that West is there
    expect(await say(d.admin, '/unit move 西城街道工会 上级=测试区总工会')).toContain('工作群「西城街道工作群」不再属于「邻区2027年度劳动竞赛」，已改为绑定「2027年度测试区职工劳动和技能竞赛」');
    const binding = await bot.app.db.chatBinding.findFirstOrThrow({ where: { chatId: 'west-group' }, include: { campaign: true } });
    expect(binding.campaign.title).toBe('2027年度测试区职工劳动和技能竞赛');
  });
});

describe('two federations in one installation', () => {
  it('each runs its own campaign; groups, private filings and /campaign stay inside their tree', async () => {
    bot = await startTestBot();
    bot.setNow('2027-02-10T10:00:00+08:00');
    const d = await setUpDistrict(bot);
    const say = async (who: LocalUser, text: string) => textOf(await bot!.say(who, text));
    const other = { ...d.admin, chatId: 'neighbour-group' };
    expect(await say(d.admin, '/unit add 邻区总工会 上级=无')).toContain('✅');
    expect(await say(d.admin, '/unit add 邻区某街道工会 上级=邻区总工会')).toContain('✅');
    expect(await say(d.admin, '/campaign add 2027')).toContain('已经创建过了'); // the district group's unit already runs it
    expect(await say(other, '/campaign add 2027')).toContain('请写明由哪个单位组织');
    expect(await say(other, '/campaign add 2027 单位=邻区总工会 标题=邻区2027年度劳动竞赛')).toContain('组织单位：邻区总工会');
    const neighbour = (await bot.app.db.campaign.findFirst({ where: { unitId: { not: 1 } } }))!;
    // The district's campaign is not the neighbour's to bind, and the other way round.
    expect(await say(other, '/bind 邻区总工会 #1')).toContain('没有编号为 1 的竞赛');
    expect(await say(d.admin, `/bind 测试区总工会 #${neighbour.id}`)).toContain(`没有编号为 ${neighbour.id} 的竞赛`);
    expect(await say(other, '/bind 邻区总工会')).toContain('✅ 本群已绑定到「邻区总工会」· 邻区2027年度劳动竞赛');
    const camp = await say(other, '/campaign');
    expect(camp).toContain('邻区2027年度劳动竞赛');
    expect(camp).not.toContain('职工劳动和技能竞赛');

    // A neighbour filer filing in a private chat files into the neighbour's campaign.
    const filer = { userId: 'nb', userName: '邻区刘干事', chatId: 'neighbour-group' };
    expect(await say(filer, '/join 邻区某街道工会')).toContain('已登记');
    expect(await say({ ...filer, chatId: 'nb-p2p', chatType: 'p2p' } as LocalUser, PLAN('邻区某企业', '邻区技能比武'))).toContain('竞赛计划已收到');
    expect((await bot.app.db.plan.findFirst({ where: { project: '邻区技能比武' } }))!.campaignId).toBe(neighbour.id);
  });
});

describe('a database from before campaigns had owners', () => {
  function oldDatabase(topUnits: string[], upTo = '20261127300000'): string {
    const before = (name: string) => name < upTo;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-migrate-'));
    const db = new Database(path.join(dir, 'saiwu.db'));
    db.exec('CREATE TABLE _saiwu_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const dirs = fs.readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true }).filter((e) => e.isDirectory() && before(e.name)).map((e) => e.name).sort();
    for (const name of dirs) {
      db.exec(fs.readFileSync(path.join(ROOT, 'prisma', 'migrations', name, 'migration.sql'), 'utf8'));
      db.prepare('INSERT INTO _saiwu_migrations VALUES (?, ?)').run(name, new Date().toISOString());
    }
    topUnits.forEach((name, i) => db.prepare('INSERT INTO "Unit" (id, name, level, headcount) VALUES (?, ?, 1, 1000)').run(i + 1, name));
    db.prepare(`INSERT INTO "Unit" (id, name, level, parentId) VALUES (10, '东城街道工会', 2, 1)`).run();
    db.prepare(`INSERT INTO "Campaign" (id, year, title, planDeadline, summaryDeadline, reportDeadline) VALUES (1, 2027, '2027年度测试区职工劳动和技能竞赛', '2027-02-28', '2027-10-15', '2027-12-31')`).run();
    db.prepare(`INSERT INTO "ChatBinding" (platform, chatId, unitId, campaignId, createdBy, updatedAt) VALUES ('local', 'district-group', 1, 1, 'admin', CURRENT_TIMESTAMP)`).run();
    db.prepare(`INSERT INTO "Member" (platform, userId, name, role, unitId, updatedAt) VALUES ('local', 'east', '东城李干事', 'filer', 10, CURRENT_TIMESTAMP)`).run();
    db.prepare(`INSERT INTO "Plan" (campaignId, unitId, enterpriseName, project, organizer, participants, startDate, endDate, type, keyProject, filedBy, updatedAt)
      VALUES (1, 10, '东城建设集团', '快速路劳动竞赛', '工会', 300, '2027-03-01', '2027-10-31', 'wubiyichuang', 1, '东城李干事', CURRENT_TIMESTAMP)`).run();
    db.close();
    return dir;
  }

  it('the only top-level unit becomes the owner; nothing filed is lost and a second campaign in the year can be added', async () => {
    const dir = oldDatabase(['测试区总工会']);
    bot = await startTestBot({ DATA_DIR: dir });
    bot.setNow('2027-02-10T10:00:00+08:00');
    const campaign = (await bot.app.db.campaign.findUnique({ where: { id: 1 } }))!;
    expect(campaign.unitId).toBe(1);
    expect(await bot.app.db.plan.count({ where: { campaignId: 1 } })).toBe(1);
    const admin = { userId: 'admin', userName: '王主席', chatId: 'district-group' };
    expect(textOf(await bot.say({ userId: 'east', userName: '东城李干事', chatId: 'district-group' }, '/mine'))).toContain('快速路劳动竞赛');
    expect(textOf(await bot.say(admin, '/campaign add 2027 标题=专项竞赛'))).toContain('✅');
    expect(await bot.app.db.campaign.count({ where: { year: 2027 } })).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('with two top-level units the old campaign keeps covering both, as before', async () => {
    const dir = oldDatabase(['测试区总工会', '邻区总工会']);
    bot = await startTestBot({ DATA_DIR: dir });
    expect((await bot.app.db.campaign.findUnique({ where: { id: 1 } }))!.unitId).toBeNull();
    const admin = { userId: 'admin', userName: '王主席', chatId: 'neighbour-group' };
    expect(textOf(await bot.say(admin, '/bind 邻区总工会 2027'))).toContain('✅ 本群已绑定到「邻区总工会」· 2027年度测试区职工劳动和技能竞赛');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a summary from before several awards keeps its one award, level and name, and can be revised with more', async () => {
    const dir = oldDatabase(['测试区总工会'], '20261128000000');
    const old = new Database(path.join(dir, 'saiwu.db'));
    old.prepare(`INSERT INTO "Plan" (campaignId, unitId, enterpriseName, project, organizer, participants, startDate, endDate, type, keyProject, filedBy, updatedAt)
      VALUES (1, 10, '东城建设集团', '管网安康杯', '工会', 80, '2027-03-01', '2027-10-31', 'ankangbei', 0, '东城李干事', CURRENT_TIMESTAMP)`).run();
    old.prepare(`INSERT INTO "Summary" (planId, actualParticipants, expenditureFen, awardLevel, awardName, filedBy, updatedAt) VALUES (1, 280, 100000, 'city', '市五一劳动奖状', '东城李干事', CURRENT_TIMESTAMP)`).run();
    old.prepare(`INSERT INTO "Summary" (planId, actualParticipants, expenditureFen, awardLevel, awardName, filedBy, updatedAt) VALUES (2, 75, 0, 'none', '待评选（预计区级）', '东城李干事', CURRENT_TIMESTAMP)`).run();
    old.close();
    bot = await startTestBot({ DATA_DIR: dir });
    bot.setNow('2027-10-10T10:00:00+08:00');
    const [first, second] = await bot.app.db.summary.findMany({ orderBy: { planId: 'asc' } });
    expect(JSON.parse(first.awards)).toEqual([{ level: 'city', name: '市五一劳动奖状' }]);
    // Text filed with 获奖级别 无 is kept as written, and never counts as an award.
    expect(JSON.parse(second.awards)).toEqual([{ level: 'none', name: '待评选（预计区级）' }]);
    expect(second.awardLevel).toBe('none');
    const east = { userId: 'east', userName: '东城李干事', chatId: 'district-group' };
    const revised = textOf(await bot.say(east, '【竞赛总结】\n计划编号：1\n实际参与人数：280\n经费支出：1000\n获奖情况：市级 市五一劳动奖状；省级 工人先锋号'));
    expect(revised).toContain('改了：获奖情况');
    expect(revised).toContain('获奖情况：市级 市五一劳动奖状；省级 工人先锋号');
    expect((await bot.app.db.summary.findFirstOrThrow({ where: { planId: 1 } })).awardLevel).toBe('provincial');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
