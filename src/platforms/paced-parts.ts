// How a sender posts a message's parts (a long text split in two, a file and its caption):
// - when the caller paces it in the shared limiter (SendOptions.paced, jobs/send-limiter.ts), the
//   caller took the first part's slot; each later part takes its own before it goes and gives it
//   back once the platform has answered;
// - a part the platform took on an earlier attempt (SendOptions.sentParts) is not posted again, and
//   each part it takes now is noted.
// One piece for every platform's sender, so none can send a part unpaced or twice.
import type { SendOptions } from '../core/app.js';

/**
 * Wraps each part's send in turn (`content` says what the part is: the same part of a retried message
 * says the same). Without `paced` the parts go as they come (the sender paces them); a part already
 * sent resolves with undefined.
 */
export function pacedParts(opts: Pick<SendOptions, 'paced' | 'sentParts'>): <T>(content: string, send: () => Promise<T>) => Promise<T | undefined> {
  let index = 0;
  let sent = 0;
  return async (content, send) => {
    const at = index++;
    if (opts.sentParts?.has(at, content)) return undefined;
    // The first part sent now goes in the caller's slot, whichever part of the message it is.
    const answered = sent++ > 0 && opts.paced ? await opts.paced() : undefined;
    try {
      const result = await send();
      await opts.sentParts?.add(at, content);
      return result;
    } finally {
      await answered?.();
    }
  };
}
