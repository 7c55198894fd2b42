import type { IncomingMessage, UserRef } from '../core/messages.js';

/**
 * The people a command acts on (/admin add, /approve, /judge add …): the message's @mentions, or a
 * refusal when there are none or the platform could not tell who was meant.
 */
export function mentionedPeople(msg: IncomingMessage, doing: string): { list: UserRef[] } | { refusal: string } {
  if (msg.mentionsAmbiguous) {
    return { refusal: `群里不止一人叫这个名字，无法确定您@的是谁，没有${doing}。请对方先设置一个与众不同的群昵称，再重新@他。` };
  }
  if (msg.mentionsUnresolved && !msg.mentions.length) {
    return { refusal: `这里收不到被@的人是谁，没有${doing}。请在对方能@到机器人的群里（飞书、微信）操作，或请管理员在配置 ADMINS 中加入对方的账号。` };
  }
  if (!msg.mentions.length) return { refusal: `请在命令里@要${doing}的人，例如：@张三` };
  return { list: msg.mentions };
}
