// Every chat platform Saiwu speaks, one line each. A platform is its folder (see platform.ts); adding
// one is that folder and a line here. Everything else — configuration, start and stop, the reminder
// jobs' limits and de-duplication — reads these definitions, never a platform's name.
import type { Capabilities, PlatformDef } from './platform.js';
import local from './local/index.js';
import lark from './lark/index.js';
import wechat from './wechat/index.js';
import wecom from './wecom/index.js';

export const PLATFORMS: readonly PlatformDef<any>[] = [local, lark, wechat, wecom];

/** The platforms real people are on (not the local chat) among these configured sections. */
export function realPlatformsIn(sections: Record<string, unknown>): PlatformDef<any>[] {
  return PLATFORMS.filter((p) => p.real && sections[p.name] !== undefined);
}

/** The definition of a platform by name (a chat binding's platform), if it is one of ours. */
export function platformDef(name: string): PlatformDef<any> | undefined {
  return PLATFORMS.find((p) => p.name === name);
}

const NONE: Capabilities = { forms: 'text', ephemeral: false, idempotentSendMs: 0, sendWindows: [], maxMessageChars: 1500, connections: 'one' };

/** What a platform can do; a name no longer configured gets the most careful answer. */
export function capabilitiesOf(name: string): Capabilities {
  return platformDef(name)?.capabilities ?? NONE;
}
