// The export's per-plan sheets rendered in a worker thread (sheet-render-worker.ts): while the main
// thread writes the 计划表 into the zip, the worker turns the plan spool into the 汇总表's and then
// the 明细's rows, each into a file that the main thread copies into its sheet as it grows
// (RenderFeed). A sheet's XML is most of an export's work, and the machine has more than one core.
// Before that the worker reads the plans, on a database connection of its own, while the main
// thread measures them (export-workbook.ts pageReader).
//
// Styles are the one thing a worker cannot do: the workbook numbers a style when its first cell is
// written, so a worker writes the styles the workbook already had as they are and stands a token
// in for the others (layout.ts tokenRenderer), which the main thread registers in their order and
// puts in when it copies the rows (SheetWriter.addRendered): the same file as if written in turn.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.js';
import { detailTable, planTable, summaryTable, type PlanTable } from './filing-sheets.js';
import { tokenRenderer, type RenderedRows, type StyleUse } from './layout.js';
import { readSpool } from './plan-spool.js';
import { startWorker } from './worker-thread.js';

export type PlanTableKind = 'plan' | 'summary' | 'detail';

export const PLAN_TABLES: Record<PlanTableKind, (several: boolean) => PlanTable> = {
  plan: planTable,
  summary: summaryTable,
  detail: () => detailTable(),
};

/** One sheet of a render job. */
export interface RenderSheet {
  table: PlanTableKind;
  widths: number[];
  /** The file its rows go to. */
  out: string;
}

export interface RenderJob {
  /** The plan spool (plan-spool.ts): read once for all the job's sheets. */
  spool: string;
  sheets: RenderSheet[];
  several: boolean;
  /** The row number of the first plan's row. */
  firstRow: number;
  /** Unit id → name, for every unit with plans. */
  names: [number, string][];
  /** The workbook's table styles when the job was given (WorkbookStream.knownStyles). */
  known: Record<string, string>;
}

/** What of a sheet is in its file: bytes, whole rows, the styles its tokens stand for. */
export interface RenderedPart {
  bytes: number;
  rows: number;
  uses: StyleUse[];
}

/** Per sheet of the job: all of it. */
export type RenderResult = RenderedPart[];

/** Told after each block a sheet's file is given (it ends with a whole row): `sheet`, its index in the job. */
export type RenderProgress = RenderedPart & { sheet: number };

const WRITE_BLOCK = 1 << 20;

/**
 * Renders a job's rows into their files (in whichever thread calls it: the worker does), telling
 * `progress` after each block written. Stops, with an error, at the first page after `cancelled()`
 * turns true (the export it was for has failed).
 */
export async function renderPlanRows(job: RenderJob, cancelled: () => boolean = () => false, progress?: (p: RenderProgress) => void, blockBytes = WRITE_BLOCK): Promise<RenderResult> {
  if (cancelled()) throw new Error('render cancelled');
  const names = new Map(job.names);
  const sheets = job.sheets.map((sheet) => {
    const table = PLAN_TABLES[sheet.table](job.several);
    return { table, ...tokenRenderer(table.columns, sheet.widths, job.known), fd: -1, block: Buffer.allocUnsafe(blockBytes), used: 0, bytes: 0 };
  });
  /** The block to the file: whole rows, `rows` of them in the file now. */
  const write = (i: number, rows: number) => {
    const sheet = sheets[i];
    // writeSync may write less than asked (a disk nearly full): the rest is written before the progress is told.
    for (let at = 0; at < sheet.used; ) at += fs.writeSync(sheet.fd, sheet.block, at, sheet.used - at);
    sheet.bytes += sheet.used;
    sheet.used = 0;
    progress?.({ sheet: i, bytes: sheet.bytes, rows, uses: sheet.uses });
  };
  let rows = 0;
  try {
    for (const [i, sheet] of sheets.entries()) sheet.fd = fs.openSync(job.sheets[i].out, 'w');
    for await (const page of readSpool(job.spool)) {
      if (cancelled()) throw new Error('render cancelled');
      for (const p of page) {
        const unitName = names.get(p.unitId)!;
        const r = job.firstRow + rows;
        for (const [i, sheet] of sheets.entries()) {
          const xml = sheet.render(sheet.table.row(p, unitName), r);
          // A UTF-16 code unit takes at most three bytes in UTF-8.
          if (sheet.used + xml.length * 3 > sheet.block.length) {
            write(i, rows);
            if (xml.length * 3 > sheet.block.length) sheet.block = Buffer.allocUnsafe(xml.length * 3);
          }
          sheet.used += sheet.block.write(xml, sheet.used);
        }
        rows++;
      }
    }
    for (const [i, sheet] of sheets.entries()) if (sheet.used) write(i, rows);
    return sheets.map((sheet) => ({ bytes: sheet.bytes, rows, uses: sheet.uses }));
  } finally {
    for (const sheet of sheets) if (sheet.fd >= 0) fs.closeSync(sheet.fd);
  }
}

/**
 * A sheet's rows as a worker renders them into its file, to be copied in as they come
 * (SheetWriter.addRendered): the main thread copies the 明细's first rows while the worker renders
 * its last. `finished` tells, once `rows()` has ended, whether they were all the sheet's: false when
 * the worker failed or hung part way (the rows up to there are whole, and the caller does the rest).
 */
export class RenderFeed {
  private part: RenderedPart = { bytes: 0, rows: 0, uses: [] };
  private ended?: 'finished' | 'failed';
  private wake?: () => void;

  constructor(readonly file: string) {}

  /** More of the sheet is in the file. */
  update(part: RenderedPart): void {
    if (this.ended || part.bytes < this.part.bytes) return;
    this.part = part;
    this.wake?.();
  }

  /** The render is over: all of the sheet (`part`), or it failed (undefined). */
  end(part: RenderedPart | undefined): void {
    if (this.ended) return;
    if (part) this.update(part);
    this.ended = part ? 'finished' : 'failed';
    this.wake?.();
  }

  get finished(): boolean {
    return this.ended === 'finished';
  }

  rows(): RenderedRows {
    // The rows in the blocks copied, known once they have ended.
    let copied = 0;
    const feed = this;
    async function* blocks(): AsyncGenerator<Buffer> {
      // Opened once the worker has written to it (a render that fails at once may never create it).
      let input: fsp.FileHandle | undefined;
      try {
        const block = Buffer.allocUnsafe(WRITE_BLOCK);
        let at = 0;
        for (;;) {
          const part = feed.part;
          if (at >= part.bytes) {
            if (feed.ended) {
              copied = part.rows;
              return;
            }
            await new Promise<void>((resolve) => (feed.wake = resolve));
            continue;
          }
          input ??= await fsp.open(feed.file, 'r');
          const { bytesRead } = await input.read(block, 0, Math.min(block.length, part.bytes - at), at);
          if (!bytesRead) throw new Error(`the rendered rows in ${feed.file} are cut short`);
          at += bytesRead;
          yield block.subarray(0, bytesRead);
        }
      } finally {
        await input?.close();
      }
    }
    return {
      blocks: blocks(),
      get rows() {
        return copied;
      },
      // The styles of the tokens in the blocks so far.
      get uses() {
        return feed.part.uses;
      },
    };
  }
}


// ---------------------------------------------------------------------------------------------
// The worker: started by the first large export, kept while exports come, closed after a while
// without one. It never keeps the process alive on its own. Every task has a time limit: a worker
// that has not answered by then is stopped and its tasks fail, which the export takes as its cue to
// do the work in the main thread (export-workbook.ts), as it does when a task fails.
// ---------------------------------------------------------------------------------------------

/**
 * Workers at most. One renders the sheets after the first in a single pass while the main thread
 * writes the first: a second would read the spool again, and on two cores leaves no core free.
 */
const MAX_WORKERS = (os.availableParallelism?.() ?? os.cpus().length) > 1 ? 1 : 0;
/** A worker without a job this long is closed (a start costs some 0.1 s, from source several times that). */
const IDLE_MS = 120_000;
/** A worker told to close (its database connections ended first) that has not exited by then is stopped. */
const CLOSE_MS = 10_000;

/**
 * Time limits, generous: they are there for a worker that hangs (a lost database connection, a bug),
 * never to cut short one that is slow. A page of plans takes the database well under a second; a
 * render some microseconds a row per sheet (a job may wait for another export's render first).
 */
const READ_LIMIT_MS = 5 * 60_000;
export const renderLimitMs = (plans: number, sheets: number) => 5 * 60_000 + plans * Math.max(1, sheets);

interface Pending {
  resolve(r: unknown): void;
  reject(e: Error): void;
  progress?(p: RenderProgress): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Pending>;
  idle?: NodeJS.Timeout;
  /** The logger of the latest task's export, for what happens to the worker between tasks. */
  log?: Logger;
}

const slots: Slot[] = [];
let nextJob = 0;
/** Set once a worker could not be started or crashed: the main thread renders from then on. */
let broken = false;
/**
 * After a worker hung, exports are done in the main thread until then: whatever hung it (a
 * database that stopped answering, a bug) would most likely hang the next one too, and each such
 * export would wait out its time limit, minutes, before the main thread took over.
 */
let restUntil = 0; // performance.now(): a clock that never steps back
const REST_MS = 10 * 60_000;

/**
 * enabled: off, everything is done in the main thread; done: tasks the workers have finished. Both
 * for tests, as are those below, which are never set in the bot:
 * - fault: the worker fails (throws) or stalls (never answers) every task of that kind, or (break,
 *   renders only) breaks off after its second row, each row written to the file as a block;
 * - limitMs: every task's time limit, in place of the generous ones above;
 * - restMs: how long workers rest after one hung, in place of REST_MS.
 */
export const RENDER_WORKERS: {
  enabled: boolean;
  done: number;
  fault?: { on: WorkerTask['kind']; act: WorkerFault };
  limitMs?: number;
  restMs?: number;
} = { enabled: true, done: 0 };

/** Whether work can be given to workers here. */
export const renderWorkersAvailable = () => RENDER_WORKERS.enabled && !broken && MAX_WORKERS > 0 && performance.now() >= restUntil;

/**
 * An error's message fit for the log: only the message (a worker's stack says nothing of use), with
 * any URL's user and password and the database URL itself (`secret`) taken out.
 */
export function logSafeMessage(err: unknown, secret?: string): string {
  let message = err instanceof Error ? err.message : String(err);
  if (secret && secret.length >= 4) message = message.split(secret).join('[database url]');
  return message.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@').replace(/\bpostgres(?:ql)?:\/\/\S*/gi, '[database url]');
}

/** No more workers in this process: said once in the log, as the exports get slower. */
function disable(err: unknown, log: Logger | undefined): void {
  if (broken) return;
  broken = true;
  log?.warn({ err: logSafeMessage(err) }, 'export render worker unusable: exports are done in the main thread until the bot restarts');
}

/** The slot's worker is done with: taken out of use, its tasks failed with `err`. */
function fail(slot: Slot, err: Error): void {
  const at = slots.indexOf(slot);
  if (at >= 0) slots.splice(at, 1);
  for (const job of slot.jobs.values()) {
    clearTimeout(job.timer);
    job.reject(err);
  }
  slot.jobs.clear();
  if (slot.idle) clearTimeout(slot.idle);
  slot.idle = undefined;
}

function startSlot(log: Logger | undefined): Slot {
  const slot: Slot = { worker: startWorker('sheet-render-worker'), jobs: new Map(), log };
  slot.worker.on('message', (m: WorkerReply) => {
    const job = slot.jobs.get(m.id);
    if (!job) return;
    if ('progress' in m) {
      job.progress?.(m.progress);
      return;
    }
    slot.jobs.delete(m.id);
    clearTimeout(job.timer);
    if ('error' in m) job.reject(new Error(`a render worker failed: ${m.error}`));
    else {
      RENDER_WORKERS.done++;
      job.resolve(m.result);
    }
    settle(slot);
  });
  slot.worker.on('error', (err) => {
    disable(err, slot.log);
    fail(slot, err);
  });
  slot.worker.on('exit', (code) => fail(slot, new Error(`the render worker stopped (exit ${code})`)));
  slots.push(slot);
  settle(slot);
  return slot;
}

/** A worker with no job lets the process exit, and is closed after IDLE_MS. */
function settle(slot: Slot): void {
  if (slot.idle) clearTimeout(slot.idle);
  slot.idle = undefined;
  if (slot.jobs.size) {
    slot.worker.ref();
    return;
  }
  slot.worker.unref();
  slot.idle = setTimeout(() => close(slot), IDLE_MS);
  slot.idle.unref();
}

/**
 * Ends an idle worker: out of use at once; it ends its database connections (a terminated thread
 * would just drop them, which the server logs as an error) and exits, or is stopped after CLOSE_MS.
 */
function close(slot: Slot): void {
  fail(slot, new Error('the render worker was closed'));
  slot.worker.postMessage({ close: true } satisfies WorkerMessage);
  setTimeout(() => void slot.worker.terminate(), CLOSE_MS).unref();
}

/** Starts the workers ahead of the jobs. */
export function warmRenderWorkers(log?: Logger): void {
  if (!renderWorkersAvailable()) return;
  try {
    while (slots.length < MAX_WORKERS) startSlot(log);
  } catch (err) {
    disable(err, log);
  }
}

/** A database a worker reads on connections of its own (kept while the worker lives). */
export type ReadSource = { kind: 'sqlite'; file: string } | { kind: 'postgresql'; url: string };

/** What the main thread asks of a worker. */
export type WorkerTask = { kind: 'render'; job: RenderJob } | { kind: 'read'; source: ReadSource; sql: string; params: unknown[] };
/** A message to the worker: a task; stop the render `cancel` (its export failed); close down. */
/** Test-only faults (RENDER_WORKERS.fault). */
export type WorkerFault = 'fail' | 'stall' | 'break';
export type WorkerMessage = { id: number; task: WorkerTask; fault?: WorkerFault } | { cancel: number } | { close: true };
export type WorkerReply = { id: number; result: unknown } | { id: number; error: string } | { id: number; progress: RenderProgress };

export interface TaskOptions {
  /** Told when a worker cannot be started or crashes. */
  log?: Logger;
  /** Aborted when the export has failed: the task is stopped and its promise rejected at once. */
  signal?: AbortSignal;
  /** A render's progress, as the worker tells it. */
  progress?(p: RenderProgress): void;
}

/**
 * Gives a task to a worker (the least busy one, started if there are fewer than MAX_WORKERS), to
 * be done within `limitMs` (a render's limit starts again with each progress it tells): a worker
 * that has not answered by then is stopped, workers rest (REST_MS), and every task it had
 * fails (they are all done in the main thread instead).
 */
function inWorker<T>(task: WorkerTask, limitMs: number, opts: TaskOptions): Promise<T> {
  if (!renderWorkersAvailable()) return Promise.reject(new Error('no render workers'));
  if (opts.signal?.aborted) return Promise.reject(new Error('cancelled'));
  let slot: Slot;
  try {
    slot = slots.find((s) => !s.jobs.size) ?? (slots.length < MAX_WORKERS ? startSlot(opts.log) : slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a)));
  } catch (err) {
    disable(err, opts.log);
    return Promise.reject(err as Error);
  }
  if (opts.log) slot.log = opts.log;
  const id = nextJob++;
  const limit = RENDER_WORKERS.limitMs ?? limitMs;
  return new Promise<T>((resolve, reject) => {
    const expire = () => {
      const rest = RENDER_WORKERS.restMs ?? REST_MS;
      restUntil = performance.now() + rest;
      const err = new Error(`the render worker did not finish a ${task.kind} task within ${Math.round(limit / 1000)} s and was stopped; exports are done without one for ${rest >= 60_000 ? `${Math.round(rest / 60_000)} min` : `${Math.round(rest / 1000)} s`}`);
      // The export the task was for tells the log (WorkerShare.giveUp), unless it is over already.
      if (opts.signal?.aborted) (opts.log ?? slot.log)?.warn({ err: err.message }, 'export render worker hung');
      fail(slot, err);
      void slot.worker.terminate();
    };
    // Aborted: the job stays the worker's until it answers (its time limit still holds), while its
    // export moves on.
    const onAbort = () => {
      reject(new Error('cancelled'));
      slot.worker.postMessage({ cancel: id } satisfies WorkerMessage);
    };
    const done = () => opts.signal?.removeEventListener('abort', onAbort);
    slot.jobs.set(id, {
      resolve: (r) => {
        done();
        resolve(r as T);
      },
      reject: (e) => {
        done();
        reject(e);
      },
      // A render that is telling its progress is alive: its time limit starts again.
      progress: (p) => {
        const job = slot.jobs.get(id);
        if (job) {
          clearTimeout(job.timer);
          job.timer = setTimeout(expire, limit);
        }
        opts.progress?.(p);
      },
      timer: setTimeout(expire, limit),
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    settle(slot);
    const fault = RENDER_WORKERS.fault?.on === task.kind ? RENDER_WORKERS.fault.act : undefined;
    slot.worker.postMessage({ id, task, ...(fault ? { fault } : {}) } satisfies WorkerMessage);
  });
}

/**
 * Renders a job's rows in a worker, within renderLimitMs of its plans and `sheets` (the job's, or
 * more: those of the jobs given before it, which the worker renders first).
 */
export const renderInWorker = (job: RenderJob, plans: number, opts: TaskOptions = {}, sheets = job.sheets.length) =>
  inWorker<RenderResult>({ kind: 'render', job }, renderLimitMs(plans, sheets), opts);

/**
 * Runs a query in a worker, as JSON text: on SQLite the first column of the first row (the query
 * builds the JSON), on PostgreSQL every row as an array (bigint and numeric as numbers). The export
 * reads its plans this way: SQLite works in the thread that asks, and the PostgreSQL driver reads
 * rows a value at a time, while the main thread has the pages before to measure.
 */
export const readInWorker = (source: ReadSource, sql: string, params: unknown[], opts: TaskOptions = {}) =>
  inWorker<string | null>({ kind: 'read', source, sql, params }, READ_LIMIT_MS, opts);
