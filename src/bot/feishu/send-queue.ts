/**
 * Feishu allows 5 messages per second into one chat (and 5 updates per second of one message).
 * Sends are queued per key, in order, and started no faster than the limit; other chats do not
 * wait behind a busy one. The window counts from when each operation was ANSWERED: the platform
 * had received operation n-5 before it answered, so operation n starts a full window after that
 * arrival whatever the network's jitter (counting from starts, a slow earlier request arrived
 * late and two arrivals came closer than the window; measured on a loaded host).
 */
import type { SharedSlots } from './send-slots.js';

export interface RateQueueOptions {
  /** Operations per window and key. */
  limit: number;
  windowMs: number;
  /**
   * The window kept across replicas (PostgreSQL, send-slots.ts): every operation also reserves its
   * place in the shared row before it starts. Order within this process stays the queue's.
   */
  shared?: SharedSlots;
  /** Told once when the shared window cannot be reached (this process then keeps its own window only). */
  log?(msg: string, data?: Record<string, unknown>): void;
}

export class RateQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Per key, when each recent operation was answered (Infinity while one is in flight). */
  private readonly starts = new Map<string, { at: number }[]>();

  constructor(private readonly opts: RateQueueOptions = { limit: 5, windowMs: 1000 }) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const job = prev.then(async () => {
      const mark = await this.slot(key);
      const token = await this.sharedSlot(key);
      try {
        return await fn();
      } finally {
        mark.at = Date.now();
        if (token) await this.opts.shared?.answered(key, token).catch((e: Error) => this.unreachable(e));
      }
    });
    const tail = job.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
        // Start times older than the window no longer matter once the queue is empty.
        const recent = (this.starts.get(key) ?? []).filter((m) => m.at > Date.now() - this.opts.windowMs);
        if (recent.length === 0) this.starts.delete(key);
        else this.starts.set(key, recent);
      }
    });
    return job;
  }

  private warned = false;

  /**
   * The place among every replica's operations of this key; null when there is no shared window or
   * it cannot be reached (the send goes on under this process's window: a message is not lost to
   * the rate table being down).
   */
  private async sharedSlot(key: string): Promise<string | null> {
    const shared = this.opts.shared;
    if (!shared) return null;
    for (;;) {
      let got: { token: string } | { waitMs: number };
      try {
        got = await shared.reserve(key, this.opts.limit, this.opts.windowMs);
      } catch (e) {
        this.unreachable(e as Error);
        return null;
      }
      if ('token' in got) return got.token;
      await new Promise((r) => setTimeout(r, got.waitMs));
    }
  }

  private unreachable(e: Error): void {
    if (this.warned) return;
    this.warned = true;
    this.opts.log?.('shared send window unreachable; this process keeps its own window', { error: e.message });
  }

  /** Wait until fewer than `limit` operations of this key were answered within the window. */
  private async slot(key: string): Promise<{ at: number }> {
    for (;;) {
      const now = Date.now();
      const recent = (this.starts.get(key) ?? []).filter((m) => m.at > now - this.opts.windowMs);
      if (recent.length < this.opts.limit) {
        // In flight until answered: counts as recent for as long as it runs.
        const mark = { at: Number.POSITIVE_INFINITY };
        recent.push(mark);
        this.starts.set(key, recent);
        return mark;
      }
      // Operations of one key run one at a time, so every earlier one has its answer time.
      const oldest = Math.min(...recent.map((m) => m.at));
      await new Promise((r) => setTimeout(r, Number.isFinite(oldest) ? oldest + this.opts.windowMs - now + 1 : 10));
    }
  }
}
