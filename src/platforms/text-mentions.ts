// Platforms that hand the bot only text (WeChat's web protocol, WeCom's bot) show who was @mentioned
// as "@name" inside it. One rule counts those tokens for every such platform.

/** How many "@name" tokens the sender typed (an @ at the start or after a space, WeChat's U+2005 included). */
export function atTokens(text: string): number {
  return (text.match(/(?:^|[\s\u2005])@(?=[^\s\u2005@])/g) ?? []).length;
}
