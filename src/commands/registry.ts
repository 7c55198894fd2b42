// One declarative table of commands (name, Chinese aliases, usage, who may run it, help line) drives
// routing, /help and permission checks. Each command's code is handlers/<name>.ts.
import type { App } from '../core/app.js';
import type { IncomingMessage, Reply } from '../core/messages.js';
import type { Member, Unit } from '../store/models.js';
import type { BindingWithContext } from '../services/members.js';
import type { Access, Viewer } from '../services/access.js';

export type { Access } from '../services/access.js';
export type CommandGroup = 'filing' | 'query' | 'setup';

/**
 * A subcommand: the first argument, e.g. "add" in /unit add. Declared here, once — the bot picks it
 * (CommandContext.sub), checks its access, refuses a first word that is none of them (see
 * onlySubcommands), and /help lists its words.
 */
export interface Subcommand {
  /** What the handler switches on ('set'). */
  key: string;
  /** The words that select it, Chinese first (shown), then English: ['设置', '修改', 'set']. */
  words: string[];
  /** Who may run it, when not everyone who may run the command. */
  access?: Access;
  /** What someone who may not run it is told (default: who may). */
  refusal?: string;
}

export interface CommandContext {
  app: App;
  msg: IncomingMessage;
  /** Positional arguments after the command name (sub-commands included). */
  args: string[];
  /** `键=值` options, keys as typed (e.g. 上级, 职工数). */
  options: Record<string, string>;
  member: (Member & { unit: Unit | null }) | null;
  isAdmin: boolean;
  /** Roles of the asker (admin, judge, the unit they file for); see services/access.ts. */
  viewer: Viewer;
  /** The group's unit and campaign, when this chat is bound. */
  binding: BindingWithContext | null;
  /** Every command, for /help and for suggestions. */
  commands: CommandRegistry;
  /** The subcommand the first argument selected (its key), if any. */
  sub?: string;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  /** Usage line shown in /help and on wrong use, e.g. "/unit add <名称> [上级=…] [职工数=…]". */
  usage: string;
  /** One line for /help. */
  summary: string;
  /** Who may run it: 'anyone', or roles such as ['filer'] (admins may run everything). */
  access: Access;
  /** Its subcommands (each with the Chinese and English words that select it). */
  subcommands?: Subcommand[];
  /**
   * The first argument, when there is one, must be a subcommand: anything else is refused with the
   * list of subcommands, never taken as "show". A function lets some other first words through
   * ("#2" for another campaign, a year).
   */
  onlySubcommands?: boolean | ((arg: string) => boolean);
  group: CommandGroup;
  /**
   * It reads a file sent with it (or, where a file cannot go with text, just before it in the chat):
   * true, or the subcommand words that do ("导入").
   */
  takesFile?: boolean | string[];
  run(ctx: CommandContext): Promise<Reply[]>;
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}

export class CommandRegistry {
  private readonly byWord = new Map<string, CommandSpec>();
  readonly all: CommandSpec[] = [];

  add(...specs: CommandSpec[]): this {
    for (const spec of specs) {
      for (const word of [spec.name, ...spec.aliases]) {
        const key = word.toLowerCase();
        if (this.byWord.has(key)) throw new Error(`command word "${word}" registered twice`);
        this.byWord.set(key, spec);
      }
      this.all.push(spec);
    }
    return this;
  }

  find(word: string): CommandSpec | undefined {
    return this.byWord.get(word.toLowerCase());
  }
}

/** The subcommand `args` select, if the command declares one. */
export function subcommandOf(spec: CommandSpec, args: string[]): Subcommand | undefined {
  const first = args[0]?.toLowerCase();
  return first === undefined ? undefined : spec.subcommands?.find((s) => s.words.some((w) => w.toLowerCase() === first));
}

/** The subcommand a word selects (after a "#2", say, where the handler reads the word itself). */
export function subcommandNamed(spec: CommandSpec, word: string | undefined): Subcommand | undefined {
  return word === undefined ? undefined : subcommandOf(spec, [word]);
}

/** The name people type for a command: its Chinese alias when it has one. */
export function commandWord(spec: CommandSpec): string {
  return spec.aliases.find((a) => /[\u4e00-\u9fa5]/.test(a)) ?? spec.name;
}

/**
 * A command line as typed, its command and subcommand words in Chinese, for a reply that asks to send
 * it again ("… 确认"): "/campaign set 计划截止=…" → "/竞赛 设置 计划截止=…".
 */
export function inChinese(commands: CommandRegistry, line: string): string {
  const m = line.trim().match(/^[/／]?(\S+)(.*)$/s);
  const spec = m ? commands.find(m[1]) : undefined;
  if (!m || !spec) return line.trim();
  const rest = m[2].replace(/(^|\s)([a-z]+)(?=\s|$)/gi, (all, space: string, word: string) => {
    const sub = subcommandNamed(spec, word);
    return sub ? `${space}${sub.words[0]}` : all;
  });
  return `/${commandWord(spec)}${rest}`;
}

/** A first argument that is no subcommand where one is required: the refusal naming the valid ones. */
export function unknownSubcommand(spec: CommandSpec, args: string[]): string | null {
  const first = args[0];
  if (!first || !spec.onlySubcommands || !spec.subcommands?.length || subcommandOf(spec, args)) return null;
  if (typeof spec.onlySubcommands === 'function' && spec.onlySubcommands(first)) return null;
  return `不认识“${first}”。“/${commandWord(spec)}”后面可以跟：${spec.subcommands.map((s) => s.words[0]).join('、')}。例如：${spec.usage}`;
}

export interface ParsedCommand {
  word: string;
  /** Whether it was written with a leading slash. */
  slash: boolean;
  args: string[];
  options: Record<string, string>;
}

// Spaces people type: ASCII, full-width (U+3000), WeChat's mention space (U+2005) and friends.
const SPACE = /[\s\u2000-\u200B\u3000]+/;

/** Splits "/unit add 东城街道工会 上级=某区总工会 职工数=1200" into word, args and options. */
export function parseCommandLine(input: string): ParsedCommand | null {
  const line = input.trim().split(/\r?\n/)[0].trim();
  if (!line) return null;
  const slash = /^[/／]/.test(line);
  const tokens = line.replace(/^[/／]/, '').split(SPACE).filter(Boolean);
  if (!tokens.length) return null;
  const [word, ...rest] = tokens;
  const args: string[] = [];
  const options: Record<string, string> = {};
  let last: string | null = null;
  for (const token of rest) {
    const m = token.match(/^([^=＝]+)[=＝](.*)$/);
    if (m) {
      last = m[1].trim();
      options[last] = m[2].trim();
    } else if (last !== null && /^[\d-]+$/.test(token) && /^[\d\s-]+$/.test(options[last])) {
      // "手机号=138 0013 8000": a number typed in groups stays one value.
      options[last] = `${options[last]} ${token}`;
    } else {
      last = null;
      args.push(token);
    }
  }
  return { word, slash, args, options };
}
