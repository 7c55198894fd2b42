// The one clock business decisions read (App.now). Normally the wall clock; SAIWU_NOW starts it at
// another moment and lets it run on from there, so a federation can rehearse February's deadline in
// November; tests set it to a fixed moment. Everything goes through the same object.
export interface Clock {
  now(): Date;
  /** From now on, the clock reads `at` and runs on from it (`frozen`: stays at `at`). */
  set(at: Date, opts?: { frozen?: boolean }): void;
  /** Whether the clock is off the wall clock (rehearsal or test). */
  readonly shifted: boolean;
}

export function createClock(start?: Date, opts: { frozen?: boolean } = {}): Clock {
  let offset = 0;
  let frozen: Date | null = null;
  let shifted = false;
  const clock: Clock = {
    now: () => (frozen ? new Date(frozen) : new Date(Date.now() + offset)),
    set(at, o = {}) {
      shifted = true;
      if (o.frozen) {
        frozen = new Date(at);
      } else {
        frozen = null;
        offset = at.getTime() - Date.now();
      }
    },
    get shifted() {
      return shifted;
    },
  };
  if (start) clock.set(start, opts);
  return clock;
}

/** SAIWU_NOW as typed: an ISO date-time with its offset, or a date (taken as 09:00 Beijing time). */
export function parseStartTime(raw: string): Date | null {
  const s = raw.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T09:00:00+08:00` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}+08:00`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}
