// npm run bench:standings — the roll-up commands at federation scale, on SQLite and on PostgreSQL.
// Goals (issue 17), on a 2-core machine:
//   /排名 全部 and /未交 全部  < 200 ms with 20,000 units and 200,000 plans (120,000 summarised)
//   /导出 全部                < 2 s with 5,000 units and 50,000 plans, memory bounded (streamed)
// Each command is sent through the bot (Bot.handleMessage: access check, parsing, the handler and
// its reply — what a chat message costs, minus the platform's network); the service function the
// handler calls is timed beside it (standingsFor, groupRollCall, buildExport).
//
// The parent fills a temporary database per size and engine, then measures in a fresh child process,
// so the peak RSS printed is that of a bot answering the command, not of the fill.
//   BENCH_DB=sqlite|postgres  one engine (default both; PostgreSQL from SAIWU_TEST_POSTGRES_URL or
//                             127.0.0.1:5432, skipped with a note when not reachable)
//   BENCH_SCALE=0.1           smaller data (a quick check), BENCH_RUNS=5 runs per command
//   BENCH_KEEP=1              keep the databases for profiling (prints their URLs)
//   tsx scripts/bench-standings.ts --fill <url> <units> <plans>   fills a migrated database only
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateDatabase } from '../src/store/migrate.js';
import { openDatabase } from '../src/store/client.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ADMIN_URL = process.env.SAIWU_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const NOW = '2027-10-20T10:00:00+08:00';
/** Event ids unique to this process: the bot ignores an event it has seen (several processes share a database). */
const RUN = randomBytes(4).toString('hex');

type Engine = 'sqlite' | 'postgres';
interface Size { units: number; plans: number }
/** once: asked once (cold only), for memory at a size the goal is not about. */
interface Goal { command: string; label: string; size: Size; ms: number; once?: boolean }
/** What the child measured for one command, in milliseconds (wall unless cpu). */
interface Figure {
  command: string;
  /** The first time, in a fresh process: modules, caches and the per-unit counts all cold. */
  cold: number;
  /** Asked again with nothing changed (median). */
  warm: number;
  warmCpu: number;
  /** Asked right after a plan or summary was corrected (median): what a reply costs during a filing rush. */
  changed: number;
  changedCpu: number;
  /** The service function the handler calls, alone (warm, median). */
  service: number;
  reply: string;
  /** Export only, MB: RSS before, and the most seen while exporting (sampled) of RSS, heap used and Buffers. */
  baseRss?: number;
  peakRss?: number;
  peakHeap?: number;
  peakExternal?: number;
}

const scaled = (s: Size): Size => ({ units: Math.round(s.units * SCALE), plans: Math.round(s.plans * SCALE) });
const LARGE = scaled({ units: 20_000, plans: 200_000 });
const EXPORT = scaled({ units: 5_000, plans: 50_000 });
const GOALS: Goal[] = [
  { command: '/排名 全部', label: '/standings all', size: LARGE, ms: 200 },
  { command: '/未交 全部', label: '/missing all', size: LARGE, ms: 200 },
  { command: '/导出 全部', label: '/export all', size: EXPORT, ms: 2000 },
  // Bounded memory: one export in a fresh process, at the goal's size and at four times it.
  { command: '/导出 全部', label: '/export all', size: EXPORT, ms: Infinity, once: true },
  { command: '/导出 全部', label: '/export all', size: LARGE, ms: Infinity, once: true },
];

// ---------------------------------------------------------------------------------------------
// The child: opens a filled database, sends each command through the bot, prints one JSON line.
// ---------------------------------------------------------------------------------------------
async function measure(url: string, commands: string[]): Promise<Figure[]> {
  const { Bot } = await import('../src/bot.js');
  const { createCommands } = await import('../handlers/index.js');
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { standingsFor } = await import('../src/services/standings.js');
  const { groupRollCall } = await import('../src/services/roll-call.js');
  const { buildExport } = await import('../src/services/excel/export-workbook.js');
  type App = import('../src/core/app.js').App;
  type Reply = import('../src/core/messages.js').Reply;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-child-'));
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'silent', REDIS_AUTOSTART: 'off', ADMINS: 'local:admin' } as NodeJS.ProcessEnv);
  const db = openDatabase(url);
  const now = new Date(NOW);
  const app: App = { config, db, log: createLogger('silent'), now: () => now, senders: new Map(), hooks: { campaignChanged: async () => 'scheduled' as const } };
  const bot = new Bot(app, createCommands());
  const root = (await db.unit.findFirst({ where: { parentId: null } }))!;
  const campaign = (await db.campaign.findFirst())!;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const describe = (replies: Reply[]) => replies.map((x) => (x.kind === 'file' ? `file ${(x.data.length / 1024 / 1024).toFixed(1)} MB` : x.kind === 'image' ? `image ${(x.data.length / 1024).toFixed(0)} KB` : x.kind === 'table' ? `table ${x.rows.length} rows` : x.kind === 'text' ? `text ${x.text.length} chars` : x.kind)).join(', ');
  const services: Record<string, () => Promise<unknown>> = {
    '/排名 全部': () => standingsFor(db, campaign, root.id, 'total', 'all'),
    '/未交 全部': () => groupRollCall(db, campaign, root.id, 'all'),
    '/导出 全部': () => buildExport(db, campaign, root, { what: 'all', now, databaseUrl: url }),
  };
  // Warm-up: the first command pays for loading handlers and the database connection; each command's
  // "cold" figure still pays for its own modules and queries the first time.
  await bot.handleMessage({ platform: 'local', eventId: `bench-${RUN}-warm`, chatId: 'bench', chatType: 'group', userId: 'admin', userName: '管理员', text: '/帮助', mentions: [] });
  const out: Figure[] = [];
  let event = 0;
  const send = async (command: string) => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const replies = await bot.handleMessage({ platform: 'local', eventId: `bench-${RUN}-${event++}`, chatId: 'bench', chatType: 'group', userId: 'admin', userName: '管理员', text: command, mentions: [] });
    const used = process.cpuUsage(cpu);
    if (!replies.length) throw new Error(`no reply to ${command}`);
    return { ms: performance.now() - t, cpu: (used.user + used.system) / 1000, replies };
  };
  // A correction as a filer makes one: Prisma stamps updatedAt, the counts see one unit changed.
  let corrections = 0;
  const correct = async () => {
    const k = corrections++;
    const plans = await db.plan.findMany({ where: { campaignId: campaign.id, id: { lte: 5000 } }, select: { id: true }, orderBy: { id: 'asc' } });
    const summaries = await db.summary.findMany({ where: { id: { lte: 5000 } }, select: { id: true }, orderBy: { id: 'asc' } });
    if (k % 2) await db.summary.update({ where: { id: summaries[(k * 7919) % summaries.length].id }, data: { actualParticipants: { increment: 1 } } });
    else await db.plan.update({ where: { id: plans[(k * 7919) % plans.length].id }, data: { participants: { increment: 1 }, version: { increment: 1 } } });
  };
  for (const asked of commands) {
    const once = asked.endsWith('@once');
    const command = once ? asked.slice(0, -'@once'.length) : asked;
    const exporting = command.startsWith('/导出');
    gc();
    const baseRss = process.memoryUsage().rss;
    const peak = { rss: 0, heap: 0, external: 0 };
    const sample = () => {
      const m = process.memoryUsage();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.heap = Math.max(peak.heap, m.heapUsed);
      peak.external = Math.max(peak.external, m.external);
    };
    const sampler = exporting ? setInterval(sample, 5) : undefined;
    const cold = await send(command);
    const warm: { ms: number; cpu: number }[] = once ? [cold] : [];
    const changed: { ms: number; cpu: number }[] = once ? [cold] : [];
    let replies = cold.replies;
    for (let i = 0; i < (once ? 0 : RUNS); i++) {
      const r = await send(command);
      warm.push(r);
      replies = r.replies;
      sample();
    }
    for (let i = 0; i < (once ? 0 : RUNS); i++) {
      await correct();
      changed.push(await send(command));
      sample();
    }
    if (sampler) clearInterval(sampler);
    const reply = describe(replies);
    replies = [];
    const serviceTimes: number[] = once ? [NaN] : [];
    for (let i = 0; i < (once ? 0 : Math.min(RUNS, 3)); i++) {
      const t = performance.now();
      await services[command]();
      serviceTimes.push(performance.now() - t);
    }
    out.push({
      command: asked, cold: cold.ms, warm: median(warm.map((r) => r.ms)), warmCpu: median(warm.map((r) => r.cpu)),
      changed: median(changed.map((r) => r.ms)), changedCpu: median(changed.map((r) => r.cpu)), service: median(serviceTimes), reply,
      ...(exporting ? { baseRss: baseRss / 2 ** 20, peakRss: peak.rss / 2 ** 20, peakHeap: peak.heap / 2 ** 20, peakExternal: peak.external / 2 ** 20 } : {}),
    });
  }
  await db.$disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The parent: fills, runs the child, prints the table.
// ---------------------------------------------------------------------------------------------
/** Bulk inserts straight through the driver: Prisma's createMany takes minutes for 200,000 plans. */
interface Bulk {
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

async function openBulk(url: string): Promise<Bulk> {
  if (url.startsWith('file:')) {
    const { default: Database } = await import('better-sqlite3');
    const s = new Database(url.slice('file:'.length));
    // Stored as Prisma stores them on SQLite: booleans 0/1, times as ISO text.
    const value = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v instanceof Date ? v.toISOString().replace('Z', '+00:00') : v);
    return {
      async insert(table, rows) {
        if (!rows.length) return;
        const cols = Object.keys(rows[0]);
        const stmt = s.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
        s.transaction(() => {
          for (const r of rows) stmt.run(cols.map((c) => value(r[c])));
        })();
      },
      async close() {
        s.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = new Set<string>();
  return {
    async insert(table, rows) {
      if (!rows.length) return;
      tables.add(table);
      const cols = Object.keys(rows[0]);
      const per = Math.floor(30_000 / cols.length);
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const params: unknown[] = [];
        const values = chunk.map((r) => `(${cols.map((c) => `$${params.push(r[c])}`).join(', ')})`);
        await client.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
      }
    },
    async close() {
      // Ids were given explicitly: move each sequence past them, then fresh statistics for the planner.
      for (const t of tables) await client.query(`SELECT setval(pg_get_serial_sequence('"${t}"', 'id'), (SELECT MAX("id") FROM "${t}"))`);
      await client.query('VACUUM ANALYZE');
      await client.end();
    },
  };
}

/**
 * A federation: root → streets (one per 100 units) → enterprises; every tenth enterprise files
 * nothing; plans spread over the rest, 60 % summarised, a quarter marked key projects and an eighth
 * naming a designated one, one revision per plan (the export reads the latest), a filer for every
 * other unit and year-end reports from a third.
 */
async function fill(url: string, size: Size): Promise<void> {
  const db = openDatabase(url);
  const root = await db.unit.create({ data: { name: '基准区总工会', level: 1, headcount: 500_000 } });
  const campaign = await db.campaign.create({ data: { year: 2027, title: '2027年度职工劳动和技能竞赛', unitId: root.id, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } });
  await db.member.create({ data: { platform: 'local', userId: 'admin', name: '管理员', role: 'admin' } });
  await db.chatBinding.create({ data: { platform: 'local', chatId: 'bench', unitId: root.id, campaignId: campaign.id } });
  await db.$disconnect();

  const bulk = await openBulk(url);
  const at = new Date('2027-02-10T02:00:00Z');
  // Filed through the last eight months, a few a minute (Prisma stamps updatedAt with the real clock,
  // and the counts kept between requests look at recent stamps).
  const start = Date.now() - 250 * 86_400_000;
  const stamp = (i: number) => new Date(start + Math.floor((i * 240 * 86_400_000) / (2 * size.plans)));
  const streetCount = Math.max(1, Math.round(size.units / 100));
  const streets = Array.from({ length: streetCount }, (_, i) => ({ id: root.id + 1 + i, name: `第${i + 1}街道工会`, level: 2, parentId: root.id, headcount: 8000 + i * 10, createdAt: at }));
  const firms = Array.from({ length: size.units - streetCount - 1 }, (_, i) => ({ id: root.id + 1 + streetCount + i, name: `第${(i % streetCount) + 1}街道第${i + 1}号企业工会`, level: 3, parentId: streets[i % streetCount].id, headcount: 50 + (i % 400), createdAt: at }));
  await bulk.insert('Unit', [...streets, ...firms]);
  const filers = firms.filter((_, i) => i % 10 !== 0);
  const keyProjects = Array.from({ length: Math.max(1, Math.round(size.units / 20)) }, (_, i) => ({ id: i + 1, campaignId: campaign.id, name: `重点工程${i + 1}号`, unitId: filers[(i * 7) % filers.length].id, createdBy: '基准', createdAt: at, updatedAt: at }));
  await bulk.insert('KeyProject', keyProjects);
  const plans = Array.from({ length: size.plans }, (_, i) => ({
    id: i + 1, campaignId: campaign.id, unitId: filers[i % filers.length].id, enterpriseName: `企业${i % filers.length}有限公司`, project: `第${i + 1}项岗位技能竞赛`,
    organizer: '工会与行政联合组织，按班组开展', participants: 20 + (i % 300), startDate: '2027-03-01', endDate: '2027-10-31', type: 'skills',
    keyProject: i % 4 === 0, keyProjectId: i % 8 === 0 ? keyProjects[(i / 8) % keyProjects.length].id : null, distinctParticipants: i % 6 === 0,
    late: i % 7 === 0, filedBy: '基准', budgetFen: 1_000_000, filedAt: stamp(i), updatedAt: stamp(i),
  }));
  await bulk.insert('Plan', plans);
  const levels = ['none', 'none', 'none', 'district', 'city', 'provincial', 'national'];
  const summaries = plans.filter((_, i) => i % 5 < 3).map((p, i) => ({
    id: i + 1, planId: p.id, actualParticipants: 20 + (i % 280), expenditureFen: 500_000 + (i % 1000) * 100, awardLevel: levels[i % levels.length],
    awards: levels[i % levels.length] === 'none' ? '[]' : JSON.stringify([{ level: levels[i % levels.length], name: i % 7 >= 3 ? '先进集体' : '' }]), late: i % 9 === 0, filedBy: '基准', filedAt: stamp(size.plans + i), updatedAt: stamp(size.plans + i),
  }));
  await bulk.insert('Summary', summaries);
  await bulk.insert('Revision', plans.map((p) => ({ id: p.id, entity: 'plan', entityId: p.id, action: 'create', version: 1, actorPlatform: 'local', actorUserId: 'bench', actorName: '基准', newValues: '{"project":"岗位技能竞赛","participants":120}', createdAt: p.updatedAt })));
  const units = [...streets, ...firms];
  await bulk.insert('Member', units.filter((_, i) => i % 2 === 1).map((u, i) => ({ id: 1000 + i, platform: 'local', userId: `filer${i}`, name: `联络员${i}`, unitId: u.id, createdAt: at, updatedAt: at })));
  await bulk.insert('YearReport', units.filter((_, i) => i % 3 === 0).map((u, i) => ({ id: i + 1, campaignId: campaign.id, unitId: u.id, experiences: '经验', problems: '问题', suggestions: '建议', late: i % 5 === 0, filedBy: '基准', filedAt: at, updatedAt: at })));
  await bulk.close();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new empty database of the engine; drop() removes it. */
async function tempDatabase(engine: Engine): Promise<{ url: string; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-'));
    return { url: `file:${path.join(dir, 'bench.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `saiwu_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

// The measuring process runs with the node flags of package.json's start script, as the bot does: the
// young generation's size (--max-semi-space-size) changes how long an export spends collecting garbage.
const START_FLAGS = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/).filter((a) => a.startsWith('--'));

function runChild(url: string, commands: string[]): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...START_FLAGS, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--measure', url, ...commands], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`measuring failed (exit ${code}): ${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as Figure[]);
    });
  });
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_DB ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as Engine[];
  const engines: Engine[] = [];
  for (const e of wanted) {
    if (e === 'postgres') {
      const problem = await withAdmin((c) => c.query('SELECT 1')).then(() => null, (err: Error) => err.message || String(err));
      if (problem) {
        console.log(`PostgreSQL at ${ADMIN_URL} not reachable (${problem}): measuring SQLite only.`);
        continue;
      }
    }
    engines.push(e);
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores; ${RUNS} runs per command, median shown`);
  const sizes = [...new Map(GOALS.map((g) => [`${g.size.units}x${g.size.plans}`, g.size])).values()];
  const results: { engine: Engine; goal: Goal; figure: Figure }[] = [];
  for (const engine of engines) {
    for (const size of sizes) {
      const database = await tempDatabase(engine);
      try {
        await migrateDatabase(database.url);
        const t = performance.now();
        await fill(database.url, size);
        console.log(`${engine}: filled ${size.units.toLocaleString('en-US')} units, ${size.plans.toLocaleString('en-US')} plans in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        // The timed commands in one process; each once-only command in a fresh one of its own.
        const goals = GOALS.filter((g) => g.size === size);
        const asked = (g: Goal) => (g.once ? `${g.command}@once` : g.command);
        for (const group of [goals.filter((g) => !g.once), ...goals.filter((g) => g.once).map((g) => [g])]) {
          if (!group.length) continue;
          const figures = await runChild(database.url, group.map(asked));
          for (const goal of group) results.push({ engine, goal, figure: figures.find((f) => f.command === asked(goal))! });
        }
      } finally {
        if (process.env.BENCH_KEEP === '1') console.log(`kept ${database.url}`);
        else await database.drop();
      }
    }
  }

  const n = (x: number) => x.toFixed(0);
  const k = (s: Size) => `${s.units / 1000}k×${s.plans / 1000}k`;
  console.log('\nMilliseconds through the bot (Bot.handleMessage: access, parsing, the handler and its reply, as a chat message');
  console.log('is handled); cold: first in a fresh process; warm: asked again (median); after change: right after a plan or');
  console.log('summary was corrected (median); service: the function the handler calls, alone (standingsFor, groupRollCall,');
  console.log('buildExport). cpu: the process\'s CPU time for the same reply (wall time also measures the neighbours).');
  const header = ['engine  ', 'command       ', 'data     ', '  cold', '  warm', '  cpu', 'changed', '  cpu', 'service', '   goal', 'result'];
  console.log(header.join(' | '));
  let failed = false;
  for (const { engine, goal, figure: f } of results) {
    if (goal.once) continue;
    const ok = f.warm <= goal.ms && f.changed <= goal.ms;
    const cpuOk = f.warmCpu <= goal.ms && f.changedCpu <= goal.ms;
    if (!ok) failed = true;
    const verdict = ok ? 'ok' : cpuOk ? 'SLOWER (cpu within goal)' : 'SLOWER THAN GOAL';
    console.log([engine.padEnd(8), goal.label.padEnd(14), k(goal.size).padEnd(9), n(f.cold).padStart(6), n(f.warm).padStart(6), n(f.warmCpu).padStart(5), n(f.changed).padStart(7), n(f.changedCpu).padStart(5), n(f.service).padStart(7), `<${goal.ms}`.padStart(7), verdict].join(' | ') + `  (${f.reply})`);
  }
  const exports = results.filter((r) => r.goal.once).sort((a, b) => a.engine.localeCompare(b.engine) || a.goal.size.plans - b.goal.size.plans);
  if (exports.length) {
    console.log('\nExport memory, MB: one /导出 全部 in a fresh process, sampled every 5 ms (the finished file is held');
    console.log('whole, as the reply carries it). The same export at four times the data needs about the same.');
    console.log(['engine  ', 'data     ', 'rss before', 'peak rss', 'peak heap', 'peak buffers', ' seconds', 'file'].join(' | '));
    for (const { engine, goal, figure: f } of exports) {
      console.log([engine.padEnd(8), k(goal.size).padEnd(9), n(f.baseRss!).padStart(10), n(f.peakRss!).padStart(8), n(f.peakHeap!).padStart(9), n(f.peakExternal!).padStart(12), (f.cold / 1000).toFixed(1).padStart(8), f.reply].join(' | '));
    }
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === '--fill') {
  await migrateDatabase(process.argv[3]);
  await fill(process.argv[3], { units: Number(process.argv[4]), plans: Number(process.argv[5]) });
} else if (process.argv[2] === '--measure') {
  const figures = await measure(process.argv[3], process.argv.slice(4));
  console.log(`BENCH_RESULT ${JSON.stringify(figures)}`);
} else {
  await main();
}
