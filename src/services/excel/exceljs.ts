// exceljs is loaded on first use: some 30 MB that a bot nobody asks for a spreadsheet never needs.
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import type ExcelJS from 'exceljs';

let loading: Promise<typeof ExcelJS> | undefined;

export function loadExcelJs(): Promise<typeof ExcelJS> {
  loading ??= Promise.resolve().then(() => {
    nativeZipChecksums();
    return import('exceljs');
  }).then((m) => m.default);
  return loading;
}

/**
 * The zip exceljs writes checksums every byte it compresses with crc-32, a CRC in JavaScript (by way
 * of archiver, zip-stream, compress-commons and crc32-stream): 0.15 s of the main thread for an
 * export's 90 MB of sheet XML, seven times what zlib's own CRC takes. Node has that one since 20.15
 * (zlib.crc32): the module's `buf` is pointed at it, for the only user of crc-32 in the tree
 * (crc32-stream, which calls `crc32.buf(chunk, previous)` and keeps the result as unsigned). The
 * same checksums: test/export-stream.test.ts checks every entry of an export against its bytes.
 */
function nativeZipChecksums(): void {
  const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (typeof crc32 !== 'function') return;
  try {
    // Resolved down the chain that uses it, as npm may nest another copy anywhere along it.
    let require = createRequire(import.meta.url);
    for (const name of ['exceljs', 'archiver', 'zip-stream', 'compress-commons', 'crc32-stream']) require = createRequire(require.resolve(name));
    const module = require('crc-32') as { buf?: (data: Uint8Array, seed?: unknown) => number };
    const own = module.buf;
    if (typeof own !== 'function') return;
    // crc-32 continues from `seed` (a previous result, signed or not; crc32-stream's first seed is
    // a Buffer, which crc-32 reads as 0) and returns a signed 32-bit number. Empty data keeps the
    // seed (zlib gives 0 for a view with no memory behind it); anything but bytes goes to crc-32.
    module.buf = (data, seed) => {
      if (!ArrayBuffer.isView(data)) return own(data, seed);
      const from = typeof seed === 'number' ? seed >>> 0 : 0;
      return (data.byteLength ? crc32(data, from) : from) | 0;
    };
  } catch {
    // Another layout of exceljs's dependencies: its own CRC stays, slower but the same.
  }
}
