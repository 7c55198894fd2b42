// The web protocol as wechat4u really delivers it, for tests. A message is written as webwx's sync
// answer carries it (one AddMsgList entry: "<talker id>:<br/>" in front of a room message, text
// HTML-escaped with <br/> for line breaks, app messages as escaped XML), run through wechat4u's own
// Message.extend (node_modules/wechat4u/lib/interface/message.js: the talker's display name put in
// front, &lt; &gt; <br/> decoded, OriginalContent kept), and parsed by puppet-wechat4u's real
// webMessageToWechaty (its message parsers: type, room, single chat, appmsg, refermsg, sysmsg).
// Contacts, rooms and sending stay wechaty-puppet-mock's.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileBox, type FileBoxInterface } from 'file-box';
import { PuppetMock } from 'wechaty-puppet-mock';
import type * as PUPPET from 'wechaty-puppet';

const require = createRequire(import.meta.url);

/** One AddMsgList entry of webwx's sync answer (the fields wechat4u and puppet-wechat4u read). */
export interface WireMessage {
  MsgId: string;
  FromUserName: string;
  ToUserName: string;
  MsgType: number;
  Content: string;
  CreateTime: number;
  AppMsgType: number;
  FileName: string;
  FileSize: string;
  MediaId: string;
  Status: number;
  StatusNotifyCode: number;
  StatusNotifyUserName: string;
}

/** The same after wechat4u's Message.extend: what wechat4u emits and puppet-wechat4u caches as the raw payload. */
export type Wechat4uMessage = WireMessage & { OriginalContent: string; isSendBySelf: boolean };

// puppet-wechat4u exports only its root; the parser is loaded by file, from the ESM build the puppet runs.
const puppetRoot = path.resolve(path.dirname(require.resolve('wechaty-puppet-wechat4u')), '..', '..', '..');
type Parser = (puppet: unknown, raw: Wechat4uMessage) => Promise<PUPPET.payloads.Message>;
let parser: Promise<Parser> | undefined;
const webMessageToWechaty = (): Promise<Parser> =>
  (parser ??= import(pathToFileURL(path.join(puppetRoot, 'dist', 'esm', 'src', 'wechat4u', 'schema-mapper', 'message.js')).href).then((m: { webMessageToWechaty: Parser }) => m.webMessageToWechaty));

interface MessageFactory { extend(wire: WireMessage): Wechat4uMessage }
const messageFactory = (require('wechat4u/lib/interface/message.js') as { default: (instance: unknown) => MessageFactory }).default;

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlEscape = htmlEscape;
/** How webwx writes text into Content: HTML-escaped, line breaks as <br/>. */
const onWire = (s: string) => htmlEscape(s).replace(/\n/g, '<br/>');

const seconds = (ageMs = 0) => Math.floor((Date.now() - ageMs) / 1000);
let seq = 0;
const newMsgId = () => `${Date.now()}${String(++seq).padStart(4, '0')}`;

function wire(partial: Partial<WireMessage> & Pick<WireMessage, 'FromUserName' | 'MsgType' | 'Content'>): WireMessage {
  return { MsgId: newMsgId(), ToUserName: '', CreateTime: seconds(), AppMsgType: 0, FileName: '', FileSize: '', MediaId: '', Status: 3, StatusNotifyCode: 0, StatusNotifyUserName: '', ...partial };
}

/** Messages as webwx delivers them. `room` is the room's UserName ("@@…"), `talker` the member's. */
export const webwx = {
  /** MsgType 1: "<talker>:<br/>text" in a room. */
  text(o: { room: string; talker: string; text: string; ageMs?: number }): WireMessage {
    return wire({ FromUserName: o.room, MsgType: 1, Content: `${o.talker}:<br/>${onWire(o.text)}`, CreateTime: seconds(o.ageMs) });
  },

  /** MsgType 49 / AppMsgType 57: a reply quoting an earlier message (引用), as the phone sends it. */
  quote(o: { room: string; talker: string; reply: string; quoted: { fromUser: string; displayName: string; text: string } }): WireMessage {
    const xml = [
      '<?xml version="1.0"?>',
      '<msg>',
      '\t<appmsg appid="" sdkver="0">',
      `\t\t<title>${xmlEscape(o.reply)}</title>`,
      '\t\t<des />',
      '\t\t<action />',
      '\t\t<type>57</type>',
      '\t\t<showtype>0</showtype>',
      '\t\t<soundtype>0</soundtype>',
      '\t\t<mediatagname />',
      '\t\t<messageext />',
      '\t\t<messageaction />',
      '\t\t<content />',
      '\t\t<contentattr>0</contentattr>',
      '\t\t<url />',
      '\t\t<lowurl />',
      '\t\t<dataurl />',
      '\t\t<lowdataurl />',
      '\t\t<appattach>',
      '\t\t\t<totallen>0</totallen>',
      '\t\t\t<attachid />',
      '\t\t\t<emoticonmd5 />',
      '\t\t\t<fileext />',
      '\t\t</appattach>',
      '\t\t<extinfo />',
      '\t\t<sourceusername />',
      '\t\t<sourcedisplayname />',
      '\t\t<thumburl />',
      '\t\t<md5 />',
      '\t\t<statextstr />',
      '\t\t<refermsg>',
      '\t\t\t<type>1</type>',
      `\t\t\t<svrid>${newMsgId()}</svrid>`,
      `\t\t\t<fromusr>${o.room}</fromusr>`,
      `\t\t\t<chatusr>${o.quoted.fromUser}</chatusr>`,
      `\t\t\t<displayname>${xmlEscape(o.quoted.displayName)}</displayname>`,
      `\t\t\t<content>${xmlEscape(o.quoted.text)}</content>`,
      '\t\t</refermsg>',
      '\t</appmsg>',
      `\t<fromusername>${o.talker}</fromusername>`,
      '\t<scene>0</scene>',
      '\t<appinfo>',
      '\t\t<version>1</version>',
      '\t\t<appname></appname>',
      '\t</appinfo>',
      '\t<commenturl></commenturl>',
      '</msg>',
    ].join('\n');
    return wire({ FromUserName: o.room, MsgType: 49, AppMsgType: 57, Content: `${o.talker}:<br/>${onWire(xml)}` });
  },

  /** MsgType 10000: a notice from WeChat itself, in a room (no talker in front). */
  system(o: { room: string; text: string }): WireMessage {
    return wire({ FromUserName: o.room, MsgType: 10000, Content: onWire(o.text) });
  },

  /** MsgType 49 / AppMsgType 6: a file shared in a room; FileSize is known before the download. */
  file(o: { room: string; talker: string; fileName: string; size: number }): WireMessage {
    const ext = o.fileName.split('.').pop() ?? '';
    const xml = `<msg><appmsg appid="" sdkver="0"><title>${xmlEscape(o.fileName)}</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>${o.size}</totallen><attachid>@cdn_x</attachid><fileext>${ext}</fileext></appattach><extinfo></extinfo></appmsg></msg>`;
    return wire({ FromUserName: o.room, MsgType: 49, AppMsgType: 6, FileName: o.fileName, FileSize: String(o.size), MediaId: `@media_${newMsgId()}`, Content: `${o.talker}:<br/>${onWire(xml)}` });
  },
};

/**
 * wechaty-puppet-mock, with messages delivered the way puppet-wechat4u delivers them: its raw payload
 * is wechat4u's message (messageRawPayload), parsed by puppet-wechat4u's own parser.
 */
export class Wechat4uRawPuppet extends PuppetMock {
  private readonly raws = new Map<string, Wechat4uMessage>();
  private readonly evictAfterParse = new Set<string>();
  private readonly evicted = new Set<string>();
  private readonly docs = new Map<string, Buffer>();
  /** Ids of the messages whose file was downloaded (wechat4u's getDoc). */
  readonly downloaded: string[] = [];

  /**
   * Runs wechat4u's Message.extend on a webwx message and emits it, as puppet-wechat4u does.
   * `evictAfterParse`: the raw message is gone once parsed (wechat4u's cache keeps them an hour).
   * `doc`: the bytes a file download would return.
   */
  deliver(message: WireMessage, opts: { evictAfterParse?: boolean; doc?: Buffer } = {}): string {
    const botId = this.currentUserId;
    const msg = messageFactory({ user: { UserName: botId }, contacts: this.wechat4uContacts(), Contact: { getDisplayName: (c: { DisplayName?: string; NickName?: string; UserName: string }) => c.DisplayName || c.NickName || c.UserName } })
      .extend({ ...message, ToUserName: message.ToUserName || botId });
    this.raws.set(msg.MsgId, msg);
    if (opts.evictAfterParse) this.evictAfterParse.add(msg.MsgId);
    if (opts.doc) this.docs.set(msg.MsgId, opts.doc);
    this.emit('message', { messageId: msg.MsgId });
    return msg.MsgId;
  }

  /** wechat4u's contacts: rooms with their MemberList (display names come from there). */
  private wechat4uContacts(): Record<string, { MemberList: { UserName: string; NickName: string; DisplayName: string }[] }> {
    const out: Record<string, { MemberList: { UserName: string; NickName: string; DisplayName: string }[] }> = {};
    for (const [id, room] of this.mocker.cacheRoomPayload) {
      out[id] = { MemberList: room.memberIdList.map((m) => ({ UserName: m, NickName: this.mocker.cacheContactPayload.get(m)?.name ?? '', DisplayName: '' })) };
    }
    return out;
  }

  override async messageRawPayload(id: string): Promise<any> {
    const raw = this.raws.get(id);
    if (raw) return raw;
    // puppet-wechat4u's own words when its cache no longer has the message.
    if (this.evicted.has(id)) throw new Error('id not found');
    return super.messageRawPayload(id);
  }

  override async messageRawPayloadParser(raw: any): Promise<PUPPET.payloads.Message> {
    if (!raw || typeof (raw as Partial<Wechat4uMessage>).MsgType !== 'number') return super.messageRawPayloadParser(raw);
    const payload = await (await webMessageToWechaty())(this, raw as Wechat4uMessage);
    const id = (raw as Wechat4uMessage).MsgId;
    if (this.evictAfterParse.has(id)) {
      this.raws.delete(id);
      this.evicted.add(id);
    }
    return payload;
  }

  override async messageFile(id: string): Promise<FileBoxInterface> {
    const doc = this.docs.get(id);
    if (!doc) return super.messageFile(id);
    this.downloaded.push(id);
    const raw = this.raws.get(id);
    return FileBox.fromBuffer(doc, raw?.FileName ?? 'unknown.txt');
  }
}

/** wechat4u's process-wide `uncaughtException` → console.log listener, installed when it loads (not in tests). */
export function removeWechat4uCrashListener(): void {
  for (const l of process.listeners('uncaughtException')) {
    if (String(l).includes("console.log('uncaughtException'")) process.off('uncaughtException', l);
  }
}
