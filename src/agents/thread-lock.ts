/**
 * Serializes work on one LangGraph thread. Two concurrent resumes of one thread would both run
 * the next node (measured), so every invoke and resume of a thread goes through here. Within a
 * process a promise chain per key; across replicas on PostgreSQL, a session advisory lock held on
 * a dedicated connection for the duration.
 */
import type { Db } from '../store/db.js';

export class ThreadLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Db) {}

  run<T>(threadId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(threadId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.crossProcess(threadId, fn));
    const tail = next.catch(() => undefined);
    this.tails.set(threadId, tail);
    void tail.then(() => {
      if (this.tails.get(threadId) === tail) this.tails.delete(threadId);
    });
    return next;
  }

  /** Resolves once every queued job has finished (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  private async crossProcess<T>(threadId: string, fn: () => Promise<T>): Promise<T> {
    // PGlite is one process by construction (the data-dir lock), and its single connection
    // must stay free for the work itself.
    if (this.db.kind !== 'postgres') return fn();
    const client = await this.db.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`thread:${threadId}`]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`thread:${threadId}`]);
      }
    } finally {
      client.release();
    }
  }
}
