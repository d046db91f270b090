import { describe, expect, it } from 'vitest';
import { ThreadLock } from './thread-lock.js';
import type { Db } from '../store/db.js';

const fakeDb = { kind: 'pglite' } as unknown as Db;

describe('ThreadLock', () => {
  it('never runs two jobs of one thread at once, and keeps their order', async () => {
    const lock = new ThreadLock(fakeDb);
    const events: string[] = [];
    let active = 0;
    let maxActive = 0;
    const job = (name: string, ms: number) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end ${name}`);
      active--;
      return name;
    };
    const results = await Promise.all([lock.run('t1', job('a', 30)), lock.run('t1', job('b', 5)), lock.run('t1', job('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxActive).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different threads run side by side and survives a failing job', async () => {
    const lock = new ThreadLock(fakeDb);
    let concurrent = 0;
    let peak = 0;
    const slow = async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((r) => setTimeout(r, 20));
      concurrent--;
    };
    await Promise.all([lock.run('x', slow), lock.run('y', slow)]);
    expect(peak).toBe(2);
    await expect(lock.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('x', async () => 'after')).resolves.toBe('after');
    await lock.idle();
  });
});
