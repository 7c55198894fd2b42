// Reply → what the WeChat account actually sends. WeChat has no cards: a form becomes a guide
// message plus a clean template to copy (full-width colons, see text-template.ts), tables become
// aligned text, long text is split, files and images go out as FileBoxes.
import { FileBox, type FileBoxInterface } from 'file-box';
import type { FormReply, Reply, UserRef } from '../../core/messages.js';
import { renderTableText, splitText } from '../../core/render-text.js';
import { FORMS } from '../../forms/index.js';
import { renderTemplate, renderTemplateGuide } from '../../forms/text-template.js';

/** Longest text we send as one message; longer text is split at line boundaries. */
export const WECHAT_MAX_CHARS = 1500;

export type WechatOut =
  | { kind: 'text'; text: string; mentions: UserRef[] }
  | { kind: 'file'; fileBox: FileBoxInterface };

/** The word people type after /填表 for each form (see services/guided-filing.ts). */
const GUIDED_WORD: Record<string, string> = { plan: '计划', progress: '进度', summary: '总结', report: '年报' };

function formGuide(r: FormReply): string {
  const lines = [renderTemplateGuide(FORMS[r.form])];
  const plans = r.fields.find((f) => f.type === 'planRef')?.options;
  if (plans?.length) lines.push(`本单位的计划：${plans.map((o) => o.label).join('；')}（“计划编号”填 # 后面的数字）`);
  // The campaign's key projects, when it lists any (the options are then 否 and their names).
  const keyProjects = (r.fields.find((f) => f.type === 'keyProjectRef')?.options ?? []).filter((o) => o.value !== '是' && o.value !== '否');
  if (keyProjects.length) lines.push(`本年度重点项目：${keyProjects.map((o) => o.label).join('；')}（“重点项目”照此填写，不是填“否”）`);
  if (r.errors && Object.keys(r.errors).length) {
    lines.push('需要修改：', ...r.fields.filter((f) => r.errors![f.key]).map((f) => `· ${f.label}：${r.errors![f.key]}`));
  }
  lines.push(`不想复制模板，也可以发送“/填表 ${GUIDED_WORD[r.form] ?? r.form}”，我一项一项地问您。`);
  return lines.join('\n');
}

function texts(text: string, mentions: UserRef[] = []): WechatOut[] {
  // Mentions go on the first piece only: one notification, not one per chunk.
  return splitText(text, WECHAT_MAX_CHARS).map((t, i) => ({ kind: 'text' as const, text: t, mentions: i === 0 ? mentions : [] }));
}

// Base64 FileBoxes work on every puppet (the mock refuses buffer-backed ones, wechat4u streams either).
const fileBox = (data: Buffer, name: string): FileBoxInterface => FileBox.fromBase64(data.toString('base64'), name);

export function renderForWechat(replies: Reply[]): WechatOut[] {
  const out: WechatOut[] = [];
  for (const r of replies) {
    switch (r.kind) {
      case 'text':
        out.push(...texts(r.text, r.mentions));
        break;
      case 'table':
        out.push(...texts(renderTableText(r)));
        break;
      case 'form':
        out.push(...texts(formGuide(r)));
        out.push({ kind: 'text', text: renderTemplate(FORMS[r.form], r.values ?? {}, r.editPlanId), mentions: [] });
        break;
      case 'file':
        if (r.caption) out.push(...texts(r.caption));
        out.push({ kind: 'file', fileBox: fileBox(r.data, r.fileName) });
        break;
      case 'image':
        out.push({ kind: 'file', fileBox: fileBox(r.data, r.fileName) });
        break;
    }
  }
  return out;
}
