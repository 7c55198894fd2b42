// The worker thread read-table.ts starts for a big spreadsheet: parses it with the same code as in
// the main thread and sends the rows back a slice at a time, each when the main thread asks for more,
// so the main thread copies in one short slice per turn and answers other chats in between.
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { readTablesHere, ROWS_PER_MESSAGE, type WorkerMessage } from './read-table.js';

const { fileName, data } = workerData as { fileName: string; data: Uint8Array };
const send = (m: WorkerMessage) => parentPort!.postMessage(m);
const read = await readTablesHere(fileName, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
if ('error' in read) send({ kind: 'error', error: read.error });
else {
  for (const [i, sheet] of read.sheets.entries()) {
    // Every sheet is announced, an empty one too, so the sheets keep their places.
    for (let at = 0; at === 0 || at < sheet.rows.length; at += ROWS_PER_MESSAGE) {
      send({ kind: 'rows', sheet: i, name: sheet.name, rows: sheet.rows.slice(at, at + ROWS_PER_MESSAGE) });
      await once(parentPort!, 'message');
    }
  }
  send({ kind: 'done' });
}
