// The login QR as an SVG drawn locally, so the login page works offline and the login URL is never
// handed to a third-party QR image service. Uses the QR encoder bundled in qrcode-terminal.
import { createRequire } from 'node:module';

interface QrEncoder {
  addData(data: string): void;
  make(): void;
  getModuleCount(): number;
  modules: boolean[][];
}
type QrEncoderClass = new (typeNumber: number, level: number) => QrEncoder;

const require = createRequire(import.meta.url);
const QRCode = require('qrcode-terminal/vendor/QRCode') as QrEncoderClass;
const Level = require('qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel') as { M: number };

export function qrSvg(value: string, cell = 8, margin = 4): string {
  const qr = new QRCode(-1, Level.M);
  qr.addData(value);
  qr.make();
  const n = qr.getModuleCount();
  const size = (n + margin * 2) * cell;
  const rects: string[] = [];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (qr.modules[y][x]) rects.push(`M${(x + margin) * cell} ${(y + margin) * cell}h${cell}v${cell}h-${cell}z`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><rect width="100%" height="100%" fill="#fff"/><path d="${rects.join('')}" fill="#000"/></svg>`;
}
