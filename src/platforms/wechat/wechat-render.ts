// Reply → what the WeChat account actually sends. WeChat has no cards: forms arrive as a guide and a
// template to copy (present.ts), tables become aligned text, long text is split, files and images go
// out as FileBoxes.
import { FileBox, type FileBoxInterface } from 'file-box';
import type { Reply, UserRef } from '../../core/messages.js';
import { renderTableText, splitText } from '../../core/render-text.js';
import { withoutForms } from '../present.js';
import wechat from './index.js';

/** Longest text we send as one message (the platform's capability); longer text is split at line boundaries. */
export const WECHAT_MAX_CHARS = wechat.capabilities.maxMessageChars;

export type WechatOut =
  | { kind: 'text'; text: string; mentions: UserRef[] }
  | { kind: 'file'; fileBox: FileBoxInterface };

function texts(text: string, mentions: UserRef[] = []): WechatOut[] {
  // Mentions go on the first piece only: one notification, not one per chunk.
  return splitText(text, WECHAT_MAX_CHARS).map((t, i) => ({ kind: 'text' as const, text: t, mentions: i === 0 ? mentions : [] }));
}

// Base64 FileBoxes work on every puppet (the mock refuses buffer-backed ones, wechat4u streams either).
const fileBox = (data: Buffer, name: string): FileBoxInterface => FileBox.fromBase64(data.toString('base64'), name);

export function renderForWechat(replies: Reply[]): WechatOut[] {
  const out: WechatOut[] = [];
  // The pipeline has already turned forms into text (present.ts); a push may still carry one.
  for (const r of withoutForms(replies)) {
    switch (r.kind) {
      case 'text':
        out.push(...texts(r.text, r.mentions));
        break;
      case 'table':
        out.push(...texts(renderTableText(r)));
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
