// The plans of one export, read from the database once and kept on disk: the 计划表, 汇总表 and 明细
// are each written from it in turn (in the main thread or in a render worker), so they agree with
// each other even while people file, and memory holds one page at a time.
//
// The file is a run of frames of at most SPOOL_FRAME plans, each its length (4 bytes, little-endian),
// then JSON of its plans as tuples.
import fs from 'node:fs/promises';
import type { Award } from '../../forms/types.js';
import type { ExportPlan } from './filing-sheets.js';

/** A plan as the spool keeps it: values in a fixed order (no field names), the time in milliseconds. */
type PlanTuple = [
  id: number, unitId: number, enterpriseName: string, project: string, organizer: string, participants: number, participantsText: string | null,
  startDate: string, endDate: string, periodText: string | null, type: string, keyProject: boolean, keyProjectName: string | null,
  budgetFen: number | null, late: boolean, version: number, changedAt: number | null,
  summary: [actualParticipants: number, expenditureFen: number, awards: Award[], late: boolean] | null,
];

const toTuple = (p: ExportPlan): PlanTuple => [
  p.id, p.unitId, p.enterpriseName, p.project, p.organizer, p.participants, p.participantsText, p.startDate, p.endDate, p.periodText, p.type, p.keyProject,
  p.keyProjectName, p.budgetFen, p.late, p.version, p.changedAt?.getTime() ?? null,
  p.summary ? [p.summary.actualParticipants, p.summary.expenditureFen, p.summary.awards, p.summary.late] : null,
];

const fromTuple = (t: PlanTuple): ExportPlan => ({
  id: t[0], unitId: t[1], enterpriseName: t[2], project: t[3], organizer: t[4], participants: t[5], participantsText: t[6], startDate: t[7], endDate: t[8],
  periodText: t[9], type: t[10], keyProject: t[11], keyProjectName: t[12], budgetFen: t[13], late: t[14], version: t[15], changedAt: t[16] === null ? null : new Date(t[16]),
  summary: t[17] ? { actualParticipants: t[17][0], expenditureFen: t[17][1], awards: t[17][2], late: t[17][3] } : null,
});

/**
 * Plans per frame. Small frames decode fastest (JSON.parse of a few tens of kilobytes is twice as
 * fast per byte as of half a megabyte), and keep little alive while a sheet is written.
 */
const SPOOL_FRAME = 200;
/** Bytes read from the file at a time. */
const READ_BLOCK = 1 << 20;

/** Writes pages of plans to `file`, in order (a frame per SPOOL_FRAME plans); returns how many plans. */
export async function writeSpool(file: string, pages: AsyncIterable<ExportPlan[]>, visit: (p: ExportPlan) => void): Promise<number> {
  const out = await fs.open(file, 'w');
  let count = 0;
  // Frames are written a megabyte or so at a time.
  let frames: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const page of pages) {
      for (let i = 0; i < page.length; i += SPOOL_FRAME) {
        const body = Buffer.from(JSON.stringify(page.slice(i, i + SPOOL_FRAME).map(toTuple)));
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length);
        frames.push(head, body);
        bytes += 4 + body.length;
      }
      for (const p of page) visit(p);
      count += page.length;
      if (bytes >= READ_BLOCK) {
        await out.writev(frames);
        frames = [];
        bytes = 0;
      }
    }
    if (frames.length) await out.writev(frames);
  } finally {
    await out.close();
  }
  return count;
}

/** The plans of a spool file, a frame at a time. */
export async function* readSpool(file: string): AsyncGenerator<ExportPlan[]> {
  const input = await fs.open(file, 'r');
  try {
    // Frames are cut out of large reads (a read per frame was two trips to the thread pool), into
    // one buffer: what is left of a read moves to its start before the next.
    let block = Buffer.allocUnsafe(READ_BLOCK);
    let start = 0;
    let end = 0;
    let eof = false;
    const have = async (n: number) => {
      while (end - start < n && !eof) {
        if (n > block.length) {
          const bigger = Buffer.allocUnsafe(n);
          block.copy(bigger, 0, start, end);
          block = bigger;
        } else block.copy(block, 0, start, end);
        end -= start;
        start = 0;
        const { bytesRead } = await input.read(block, end, block.length - end, null);
        if (!bytesRead) eof = true;
        end += bytesRead;
      }
      return end - start >= n;
    };
    while (await have(4)) {
      const length = block.readUInt32LE(start);
      if (!(await have(4 + length))) throw new Error(`export spool ${file} is cut short`);
      const body = block.toString('utf8', start + 4, start + 4 + length);
      start += 4 + length;
      yield (JSON.parse(body) as PlanTuple[]).map(fromTuple);
    }
  } finally {
    await input.close();
  }
}
