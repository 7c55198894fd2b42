// How a sender posts a message's parts (a long text split in two, a file and its caption) when the
// caller paces it in the shared limiter (SendOptions.paced, jobs/send-limiter.ts): the caller took
// the first part's slot; each later part takes its own before it goes and gives it back once the
// platform has answered. One piece for every platform's sender, so none can send a part unpaced.
import type { NextPart } from '../core/app.js';

/** Wraps each part's send in turn; without `paced` the parts go as they come (the sender paces them). */
export function pacedParts(paced: NextPart | undefined): <T>(send: () => Promise<T>) => Promise<T> {
  let parts = 0;
  return async (send) => {
    const answered = parts++ > 0 && paced ? await paced() : undefined;
    try {
      return await send();
    } finally {
      await answered?.();
    }
  };
}
