// npm run bench:standings — fills a temporary SQLite database with 5,000 units and 50,000 plans
// (30,000 of them summarised) and prints how long /standings all, /missing and /export all take
// through the bot. Goals on a 2-core machine: standings and missing under 200 ms, export under 5 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bot } from '../src/bot.js';
import { createCommands } from '../handlers/index.js';
import { loadConfig } from '../src/config.js';
import type { App, ChatSender } from '../src/core/app.js';
import type { Platform, Reply } from '../src/core/messages.js';
import { migrateDatabase } from '../src/store/migrate.js';
import { openDatabase } from '../src/store/client.js';
import { createLogger } from '../src/logger.js';

const STREETS = 50;
const UNITS = 5000;
const PLANS = 50_000;
const RUNS = 5;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-'));
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', REDIS_AUTOSTART: 'off', ADMINS: 'local:admin' } as NodeJS.ProcessEnv);
await migrateDatabase(config.databaseUrl);
const db = openDatabase(config.databaseUrl);
const app: App = { config, db, log: createLogger('silent'), now: () => new Date('2027-10-20T10:00:00+08:00'), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => undefined } };
const bot = new Bot(app, createCommands());

async function chunked<T>(rows: T[], size: number, write: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

let t = performance.now();
const root = await db.unit.create({ data: { name: '基准区总工会', level: 1, headcount: 500_000 } });
const campaign = await db.campaign.create({ data: { year: 2027, title: '2027年度职工劳动和技能竞赛', planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } });
await db.unit.createMany({ data: Array.from({ length: STREETS }, (_, i) => ({ name: `第${i + 1}街道工会`, level: 2, parentId: root.id, headcount: 8000 + i * 10 })) });
const streets = await db.unit.findMany({ where: { level: 2 }, orderBy: { id: 'asc' } });
const firms = Array.from({ length: UNITS - STREETS - 1 }, (_, i) => ({ name: `第${(i % STREETS) + 1}街道第${i + 1}号企业工会`, level: 3, parentId: streets[i % STREETS].id, headcount: 50 + (i % 400) }));
await chunked(firms, 2000, (chunk) => db.unit.createMany({ data: chunk }));
const enterprises = await db.unit.findMany({ where: { level: 3 }, select: { id: true }, orderBy: { id: 'asc' } });
// Every tenth enterprise files nothing, so the missing list and the "filed nothing" tail are real.
const filers = enterprises.filter((_, i) => i % 10 !== 0);
const plans = Array.from({ length: PLANS }, (_, i) => ({
  campaignId: campaign.id, unitId: filers[i % filers.length].id, enterpriseName: `企业${i % filers.length}有限公司`, project: `第${i + 1}项岗位技能竞赛`,
  organizer: '工会与行政联合组织，按班组开展', participants: 20 + (i % 300), startDate: '2027-03-01', endDate: '2027-10-31', type: 'skills',
  keyProject: i % 4 === 0, late: i % 7 === 0, filedBy: '基准', budgetFen: 1_000_000,
}));
await chunked(plans, 5000, (chunk) => db.plan.createMany({ data: chunk }));
const planIds = (await db.plan.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
const levels = ['none', 'none', 'none', 'district', 'city', 'provincial', 'national'];
const summaries = planIds.filter((_, i) => i % 5 < 3).map((planId, i) => ({ planId, actualParticipants: 20 + (i % 280), expenditureFen: 500_000 + (i % 1000) * 100, awardLevel: levels[i % levels.length], awards: levels[i % levels.length] === 'none' ? '[]' : JSON.stringify([{ level: levels[i % levels.length], name: i % 7 >= 3 ? '先进集体' : '' }]), late: i % 9 === 0, filedBy: '基准' }));
await chunked(summaries, 5000, (chunk) => db.summary.createMany({ data: chunk }));
await db.member.create({ data: { platform: 'local', userId: 'admin', name: '管理员', role: 'admin' } });
await db.chatBinding.create({ data: { platform: 'local', chatId: 'bench', unitId: root.id, campaignId: campaign.id } });
console.log(`filled ${UNITS} units, ${PLANS} plans, ${summaries.length} summaries in ${((performance.now() - t) / 1000).toFixed(1)} s`);

let event = 0;
// CPU time is printed beside wall time: on a shared machine the wall time also measures the neighbours.
async function time(command: string): Promise<{ first: number; median: number; cpu: number; replies: Reply[] }> {
  const times: number[] = [];
  const cpus: number[] = [];
  let replies: Reply[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage();
    t = performance.now();
    replies = await bot.handleMessage({ platform: 'local', eventId: `bench-${event++}`, chatId: 'bench', chatType: 'group', userId: 'admin', userName: '管理员', text: command, mentions: [] });
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { first: times[0], median: median(times), cpu: median(cpus), replies };
}

console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
const goals: Record<string, number> = { '/standings all': 200, '/missing': 200, '/export all': 5000 };
let failed = false;
for (const command of Object.keys(goals)) {
  const r = await time(command);
  const what = r.replies.map((x) => (x.kind === 'file' ? `file ${(x.data.length / 1024 / 1024).toFixed(1)} MB` : x.kind === 'image' ? `image ${(x.data.length / 1024).toFixed(0)} KB` : x.kind === 'table' ? `table ${x.rows.length} rows` : x.kind === 'text' ? `text ${x.text.length} chars` : x.kind)).join(', ');
  const ok = r.median <= goals[command];
  if (!ok) failed = true;
  console.log(`${command.padEnd(16)} median ${r.median.toFixed(0).padStart(5)} ms  (cpu ${r.cpu.toFixed(0).padStart(5)} ms)  first ${r.first.toFixed(0).padStart(5)} ms  goal < ${goals[command]} ms ${ok ? 'ok' : 'SLOWER THAN GOAL'}  (${what})`);
}

await db.$disconnect();
// BENCH_KEEP=1 keeps the filled database for profiling.
if (process.env.BENCH_KEEP === '1') console.log(`kept ${config.databaseUrl}`);
else fs.rmSync(dataDir, { recursive: true, force: true });
if (failed) process.exitCode = 1;
