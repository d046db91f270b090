/**
 * Feishu allows 5 messages per second into one chat (and 5 updates per second of one message).
 * Sends are queued per key, in order, and started no faster than the limit; other chats do not
 * wait behind a busy one.
 */
export interface RateQueueOptions {
  /** Operations per window and key. */
  limit: number;
  windowMs: number;
}

export class RateQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly opts: RateQueueOptions = { limit: 5, windowMs: 1000 }) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const job = prev.then(async () => {
      await this.slot(key);
      return fn();
    });
    const tail = job.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
        // Start times older than the window no longer matter once the queue is empty.
        const recent = (this.starts.get(key) ?? []).filter((t) => t > Date.now() - this.opts.windowMs);
        if (recent.length === 0) this.starts.delete(key);
        else this.starts.set(key, recent);
      }
    });
    return job;
  }

  /** Wait until fewer than `limit` operations of this key started within the window. */
  private async slot(key: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const recent = (this.starts.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
      if (recent.length < this.opts.limit) {
        recent.push(now);
        this.starts.set(key, recent);
        return;
      }
      await new Promise((r) => setTimeout(r, recent[0]! + this.opts.windowMs - now + 1));
    }
  }
}
