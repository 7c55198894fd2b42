// Errors a ChatSender throws so the reminder queue can react the right way.

/** The platform asked us to slow down; retry after `retryAfterMs` without spending an attempt. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number, message = `rate limited, retry after ${retryAfterMs} ms`) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** Retrying cannot help (bot removed from the chat, chat gone, no permission). */
export class PermanentSendError extends Error {
  /** `reason`: why, in words an admin acts on (shown by /reminders), e.g. "对方已屏蔽机器人". */
  constructor(message: string, readonly reason?: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** The platform stopped before the message was handed over (shutting down): nothing was sent; try again later. */
export class NotSentError extends Error {
  constructor(message = 'the platform stopped before the message was sent') {
    super(message);
    this.name = 'NotSentError';
  }
}
