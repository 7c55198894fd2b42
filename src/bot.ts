// The platform-neutral bot: takes an incoming message or form submission, returns replies.
// Adapters (local chat, Lark, WeChat) call these two methods and only translate.
import type { App } from './core/app.js';
import type { FormSubmission, IncomingMessage, Reply } from './core/messages.js';
import { text } from './core/messages.js';
import { CommandRegistry, parseCommandLine, type CommandContext, type CommandSpec } from './commands/registry.js';
import { shortHelp } from './commands/help-text.js';
import { MAX_TEMPLATE_CHARS, parseTemplate } from './forms/text-template.js';
import { claimEvent } from './services/events.js';
import { getBinding, getMember, isAdmin, touchMember } from './services/members.js';
import { submitFiling } from './services/filings.js';

export const SORRY = '抱歉，处理这条消息时出错了，内容没有保存。请稍后再试；如果一直这样，请联系管理员。';

export class Bot {
  constructor(readonly app: App, readonly commands: CommandRegistry) {}

  async handleMessage(msg: IncomingMessage): Promise<Reply[]> {
    if (!(await claimEvent(this.app.db, msg.platform, msg.eventId))) {
      this.app.log.debug({ platform: msg.platform, eventId: msg.eventId }, 'duplicate event ignored');
      return [];
    }
    try {
      return await this.route(msg);
    } catch (err) {
      this.app.log.error({ err, platform: msg.platform, chatId: msg.chatId, eventId: msg.eventId }, 'message handler failed');
      return [text(SORRY)];
    }
  }

  async handleFormSubmit(sub: FormSubmission): Promise<Reply[]> {
    if (!(await claimEvent(this.app.db, sub.platform, sub.eventId))) return [];
    try {
      await touchMember(this.app.db, sub.platform, sub.userId, sub.userName);
      return await submitFiling(this.app, { ...sub, raw: sub.values, via: 'form' });
    } catch (err) {
      this.app.log.error({ err, platform: sub.platform, chatId: sub.chatId, form: sub.form }, 'form submit failed');
      return [text(SORRY)];
    }
  }

  /** What the bot says when it is added to a group. */
  greeting(): Reply[] {
    return [text(`大家好，我是${this.app.config.botName}。管理员发送“/bind 单位名称”把本群绑定到单位后，各单位联络员发送“/join 单位名称”登记，就可以在群里备案计划、报进度、交总结了。\n${shortHelp(this.commands)}`)];
  }

  private async route(msg: IncomingMessage): Promise<Reply[]> {
    const body = msg.text.trim();
    const addressed = msg.chatType === 'p2p' || Boolean(msg.mentionsBot);
    if (!body) return addressed ? [text(shortHelp(this.commands))] : [];
    if (body.length > MAX_TEMPLATE_CHARS) {
      return [text(`这条消息太长（${body.length} 字），没有处理。填报表格请使用模板，每项内容请精简后再发。`)];
    }
    await touchMember(this.app.db, msg.platform, msg.userId, msg.userName);

    const template = parseTemplate(body);
    if (template) {
      return submitFiling(this.app, { ...msg, form: template.form, raw: template.raw, via: 'template', unknownLabels: template.unknownLabels });
    }

    const parsed = parseCommandLine(body);
    if (!parsed) return [];
    const spec = this.commands.find(parsed.word);
    if (!spec) {
      if (parsed.slash) return [text(`没有“/${parsed.word}”这个命令。${shortHelp(this.commands)}`)];
      // Ordinary group conversation is none of the bot's business.
      return addressed ? [text(`没看懂这条消息。${shortHelp(this.commands)}`)] : [];
    }
    // A bare Chinese word ("计划") in a group only counts when the bot is addressed.
    if (!parsed.slash && !addressed) return [];
    return this.run(spec, msg, parsed.args, parsed.options);
  }

  private async run(spec: CommandSpec, msg: IncomingMessage, args: string[], options: Record<string, string>): Promise<Reply[]> {
    const member = await getMember(this.app.db, msg.platform, msg.userId);
    const admin = isAdmin(this.app.config, member, msg.platform, msg.userId);
    if (spec.access === 'admin' && !admin) {
      return [text(`“/${spec.name}”只有管理员可以使用。如需开通，请联系本群管理员。`)];
    }
    const binding = await getBinding(this.app.db, msg.platform, msg.chatId);
    const ctx: CommandContext = { app: this.app, msg, args, options, member, isAdmin: admin, binding, commands: this.commands };
    this.app.log.info({ command: spec.name, platform: msg.platform, chatId: msg.chatId, userId: msg.userId }, 'command');
    return spec.run(ctx);
  }
}
