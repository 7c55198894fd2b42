// What /approve and /reject have in common: find the pending /join of the people named, check the
// sender may answer it, and answer it (rules in join-requests.ts).
import type { CommandContext } from '../commands/registry.js';
import { text, type Reply, type UserRef } from '../core/messages.js';
import { decideJoin, mayDecide, pendingFor } from './join-requests.js';
import { actorOf, pendingJoinOf } from './members.js';
import { mentionedPeople } from './mentions.js';
import { shanghaiDateTimeText } from '../util/dates.js';

export async function runJoinDecision(ctx: CommandContext, approve: boolean): Promise<Reply[]> {
  const db = ctx.app.db;
  const verb = approve ? '同意' : '拒绝';
  const command = approve ? '/同意' : '/拒绝';
  const decider = { isAdmin: ctx.isAdmin, unitId: ctx.viewer.unit?.id ?? null };
  const waiting = await pendingFor(db, ctx.msg.platform, decider);

  let targets: UserRef[];
  if (ctx.msg.mentions.length || ctx.msg.mentionsAmbiguous) {
    const people = mentionedPeople(ctx.msg, verb);
    if ('refusal' in people) return [text(people.refusal)];
    targets = people.list;
  } else if (ctx.args.length) {
    // Typed name (a private chat cannot @mention): it must name exactly one request one may answer.
    const name = ctx.args.join('').replace(/^@/, '');
    const named = waiting.filter((r) => r.userName === name);
    if (named.length !== 1) return [text(named.length ? `有 ${named.length} 个叫「${name}」的申请，请在群里@对方。` : `没有「${name}」待您处理的登记申请。发送“${command}”查看待处理的申请。`)];
    targets = [{ userId: named[0].userId, userName: named[0].userName }];
  } else {
    if (!waiting.length) return [text('没有待您处理的登记申请。')];
    const lines = ['待处理的登记申请：', ...waiting.map((r) => `· ${r.userName} → ${r.unit.name}（${shanghaiDateTimeText(r.createdAt)}申请${r.adminOnly ? '，需管理员同意' : ''}）`), `同意：/同意 @姓名　拒绝：/拒绝 @姓名`];
    return [text(lines.join('\n'))];
  }

  const done: string[] = [];
  const problems: string[] = [];
  const notify: UserRef[] = [];
  for (const person of targets) {
    const request = await pendingJoinOf(db, ctx.msg.platform, person.userId);
    if (!request) {
      problems.push(`${person.userName} 没有待处理的登记申请。`);
      continue;
    }
    if (!mayDecide(request, decider)) {
      problems.push(request.adminOnly ? `${person.userName} 的登记申请需要管理员${verb}。` : `只有申请登记的那个单位已登记的联络员或管理员可以${verb} ${person.userName} 的申请。`);
      continue;
    }
    if (!(await decideJoin(db, request, approve, actorOf(ctx.msg), ctx.app.now()))) {
      problems.push(`${person.userName} 的申请刚刚已被别人处理，发送“${command}”查看最新情况。`);
      continue;
    }
    notify.push(person);
    done.push(approve ? `✅ 已同意 ${person.userName} 登记为「${request.unit.name}」的联络员，现在可以发送“/计划”备案了。` : `已拒绝 ${person.userName} 登记为「${request.unit.name}」联络员的申请。`);
  }
  return [text([...done, ...problems].join('\n'), notify)];
}
