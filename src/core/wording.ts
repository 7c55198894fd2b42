// Sentences many commands say, written once: the same situation reads the same everywhere.
import type { Unreadable } from './messages.js';

/** No campaign yet (or none the asker's unit takes part in). */
export const NO_CAMPAIGN = '还没有创建竞赛年度，请管理员先发送“/竞赛 创建 年度”，例如：/竞赛 创建 2027';

/** A group not bound to a unit, where `what` needs one ("无法催交"). */
export const unboundGroup = (what: string) => `本群还没有绑定单位，${what}。请管理员先发送“/绑定 单位名称”。`;

/** What the sender is told when the bot cannot read what they sent (every platform alike). */
export function unreadableText(u: Unreadable): string {
  const file = 'fileName' in u && u.fileName ? `「${u.fileName}」` : '';
  switch (u.what) {
    case 'kind':
      return '目前只能识别文字消息和表格文件。发送“/帮助”查看可用的命令。';
    case 'file-failed':
      return `没能读取文件${file}，请稍后重新发送。`;
    case 'file-too-big':
      return `文件${file}太大（超过 ${u.maxMb} MB），没有读取。请只发送要导入的表格。`;
  }
}

/** A campaign change was saved but its reminders could not be rescheduled yet (the queue is down). */
export const REMINDERS_LATER = '⚠️ 提醒服务暂时连不上：修改已保存，提醒会在服务恢复后自动按新安排重新排好，无需再发。';

/** Appends REMINDERS_LATER to a reply's lines when the campaign hook said 'later'. */
export const withScheduleNote = (lines: string[], outcome: 'scheduled' | 'later'): string[] => (outcome === 'later' ? [...lines, REMINDERS_LATER] : lines);
