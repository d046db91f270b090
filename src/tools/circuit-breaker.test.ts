import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakers } from './circuit-breaker.js';
import { SystemError } from './errors.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const fail = (b: CircuitBreaker) => b.acquire()('failure');
const succeed = (b: CircuitBreaker) => b.acquire()('success');

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures only; a success in between starts the count again', () => {
    const b = new CircuitBreaker('resource', { failureThreshold: 3, coolDownMs: 10_000, now: clock().now });
    fail(b);
    fail(b);
    succeed(b);
    fail(b);
    fail(b);
    expect(b.state).toBe('closed');
    fail(b);
    expect(b.state).toBe('open');
    expect(b.snapshot()).toMatchObject({ system: 'resource', state: 'open', consecutiveFailures: 3, opens: 1 });
  });

  it('fails fast while open with circuit_open naming the system', () => {
    const b = new CircuitBreaker('nms', { failureThreshold: 1, coolDownMs: 10_000, now: clock().now });
    fail(b);
    let err: unknown;
    try {
      b.acquire();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SystemError);
    expect(err).toMatchObject({ code: 'circuit_open', system: 'nms' });
    expect((err as Error).message).toMatch(/^nms: circuit breaker open .* not calling the nms system for 10 s/);
  });

  it('half-opens after the cool-down: one probe at a time; its success closes, its failure re-opens', () => {
    const c = clock();
    const b = new CircuitBreaker('crm', { failureThreshold: 2, coolDownMs: 5_000, now: c.now });
    fail(b);
    fail(b);
    c.advance(4_999);
    expect(b.state).toBe('open');
    c.advance(1);
    expect(b.state).toBe('half_open');
    const probe = b.acquire();
    expect(() => b.acquire()).toThrow(/circuit breaker open/); // a second caller waits for the probe's verdict
    probe('failure');
    expect(b.state).toBe('open');
    expect(b.snapshot().opens).toBe(2);
    c.advance(5_000);
    b.acquire()('success');
    expect(b.state).toBe('closed');
    expect(b.refusing).toBe(false);
    expect(b.snapshot()).toMatchObject({ consecutiveFailures: 0, openedAt: null, retryAt: null });
  });

  it('keeps one breaker per system', () => {
    const bs = new CircuitBreakers({ failureThreshold: 1, now: clock().now });
    fail(bs.get('resource'));
    expect(bs.isOpen('resource')).toBe(true);
    expect(bs.isOpen('crm')).toBe(false);
    expect(bs.snapshot().map((s) => [s.system, s.state])).toEqual([['resource', 'open']]);
  });
});

describe('CircuitBreaker: only the system counts', () => {
  it("neither counts nor resets on attempts that never reached the system; an ignored probe lets the next call probe", () => {
    const c = clock();
    const b = new CircuitBreaker('resource', { failureThreshold: 2, coolDownMs: 1_000, now: c.now });
    fail(b);
    for (let i = 0; i < 50; i++) b.acquire()('ignored');
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1, ignored: 50 });
    fail(b);
    expect(b.state).toBe('open');
    c.advance(1_000);
    b.acquire()('ignored');
    // The probe slot is free again: the next call probes, and its success closes the breaker.
    succeed(b);
    expect(b.state).toBe('closed');
  });

  it('by default keeps a portal failing 30 % of its answers reachable, and refuses one that is down after ten', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const flaky = new CircuitBreaker('resource', { now: clock().now });
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      try {
        flaky.acquire()(random() < 0.3 ? 'failure' : 'success');
      } catch {
        refused++;
      }
    }
    expect(flaky.snapshot().opens).toBe(0);
    expect(refused).toBe(0);
    const down = new CircuitBreaker('resource', { now: clock().now });
    for (let i = 0; i < 10; i++) fail(down);
    expect(down.state).toBe('open');
  });
});
