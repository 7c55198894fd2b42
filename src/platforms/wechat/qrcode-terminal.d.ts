// qrcode-terminal ships no types; this is the part we use.
declare module 'qrcode-terminal' {
  const qrcodeTerminal: { generate(text: string, opts?: { small?: boolean }, cb?: (qr: string) => void): void };
  export default qrcodeTerminal;
}
