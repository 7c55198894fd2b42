// Starts a real Saiwu (real SQLite file in a temp dir, real Redis with a random prefix, real HTTP
// server on a free port) and talks to it through the local chat API, as a user's page would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';
import { startSaiwu, type Saiwu, type StartOptions } from '../../src/start.js';
import { createLogger } from '../../src/logger.js';
import { createClock } from '../../src/clock.js';

export interface TestBot extends Saiwu {
  dataDir: string;
  config: Config;
  /** Moves the bot's clock (filing times, late marks). */
  setNow(at: Date | string): void;
  say(user: LocalUser, text: string, extra?: Record<string, unknown>): Promise<Reply[]>;
  submit(user: LocalUser, formId: string, values: Record<string, string>): Promise<Reply[]>;
  transcript(chatId: string): Promise<TranscriptMessage[]>;
  close(): Promise<void>;
}

export interface LocalUser {
  userId: string;
  userName: string;
  chatId: string;
  chatType?: 'group' | 'p2p';
}

/** A reply as the local chat API gives it; a table is a text with its columns and rows beside it. */
export type Reply = { kind: 'text'; text: string; mentions: string[]; table?: { columns: string[]; rows: (string | number)[][] } } | { kind: 'form'; form: string; formId: string; title: string; fields: { key: string; label: string; type: string; required: boolean; options?: { value: string; label: string }[] }[]; values?: Record<string, string>; errors?: Record<string, string> } | { kind: 'file'; fileName: string; url: string } | { kind: 'image'; fileName: string; url: string };

export interface TranscriptMessage {
  id: number;
  senderId: string;
  senderName: string;
  fromBot: boolean;
  text: string;
  mentions: string[];
  reply?: Reply;
  createdAt: string;
}

export async function startTestBot(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestBot> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    REDIS_AUTOSTART: 'off',
    LOG_LEVEL: 'silent',
    ADMINS: 'local:admin',
    ...env,
  } as NodeJS.ProcessEnv);
  // The bot's own clock (as SAIWU_NOW uses it), held still wherever a test sets it.
  const clock = createClock();
  // A test that captures the log (opts.logDestination) gets the production logger, secrets and all.
  const saiwu = await startSaiwu(config, { ...(opts.logDestination ? {} : { logger: createLogger('silent') }), clock, ...opts });
  const post = async (url: string, body: unknown): Promise<Reply[]> => {
    const res = await fetch(saiwu.url + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { replies: Reply[] }).replies;
  };
  return {
    ...saiwu,
    dataDir,
    config,
    setNow(at) {
      clock.set(typeof at === 'string' ? new Date(at) : at, { frozen: true });
    },
    say: (user, text, extra = {}) => post('/api/local/messages', { chatType: 'group', ...user, text, ...extra }),
    submit: (user, formId, values) => post(`/api/local/forms/${encodeURIComponent(formId)}`, { chatType: 'group', ...user, values }),
    async transcript(chatId) {
      const res = await fetch(`${saiwu.url}/api/local/chats/${encodeURIComponent(chatId)}/messages`);
      return (await res.json()) as TranscriptMessage[];
    },
    async close() {
      await saiwu.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A log sink for startTestBot's `logDestination`: every line the bot logs, as text. */
export function captureLog(): { destination: { write(line: string): void }; text(): string; lines(): Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    destination: { write: (line: string) => void lines.push(line) },
    text: () => lines.join(''),
    lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** All text of a reply list, joined, for assertions on what a person would read. */
export function textOf(replies: Reply[]): string {
  return replies.map((r) => (r.kind === 'text' ? r.text : r.kind === 'form' ? `[form ${r.form}]` : `[${r.kind} ${r.fileName}]`)).join('\n---\n');
}

/**
 * The ❗ line a correction template puts right under a field's line (after a value running on several
 * lines), or undefined when that field has none: what the cadre is told to fix there.
 */
export function fixFor(replies: Reply[] | string, label: string): string | undefined {
  const lines = (typeof replies === 'string' ? replies : textOf(replies)).split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${label}：`));
  if (at < 0) return undefined;
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith('❗')) return line;
    // The next field's line, or the end of the template.
    if (/^[^\s：]{2,14}：/.test(line) || line === '---') return undefined;
  }
  return undefined;
}

export function formOf(replies: Reply[]): Extract<Reply, { kind: 'form' }> {
  const form = replies.find((r) => r.kind === 'form');
  if (!form || form.kind !== 'form') throw new Error(`no form in replies: ${textOf(replies)}`);
  return form;
}

/** An admin, a district with three streets, a campaign and a bound group: the common starting point. */
export async function setUpDistrict(bot: TestBot, opts: { year?: number; chatId?: string } = {}) {
  const year = opts.year ?? 2027;
  const chatId = opts.chatId ?? 'district-group';
  const admin: LocalUser = { userId: 'admin', userName: '王主席', chatId };
  const steps = [
    '/unit add 测试区总工会 职工数=20000',
    '/unit add 东城街道工会 上级=测试区总工会 职工数=5000',
    '/unit add 西城街道工会 上级=测试区总工会 职工数=4000',
    '/unit add 高新园区工会 上级=测试区总工会 职工数=8000',
    `/campaign add ${year}`,
    `/bind 测试区总工会 ${year}`,
  ];
  for (const step of steps) {
    const replies = await bot.say(admin, step);
    if (!textOf(replies).includes('✅')) throw new Error(`setup step "${step}" failed: ${textOf(replies)}`);
  }
  const filer = (userId: string, userName: string): LocalUser => ({ userId, userName, chatId });
  return { year, chatId, admin, east: filer('east', '东城李干事'), west: filer('west', '西城张干事'), park: filer('park', '园区赵干事') };
}

/**
 * The usual start of a filing test: a bot whose clock is 10 February 2027 (before the plan
 * deadline), the district set up, and East's cadre registered as its filer.
 */
export async function startFilingBot(): Promise<{ bot: TestBot; east: LocalUser; district: Awaited<ReturnType<typeof setUpDistrict>> }> {
  const bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  const district = await setUpDistrict(bot);
  await bot.say(district.east, '/join 东城街道工会');
  return { bot, east: district.east, district };
}
