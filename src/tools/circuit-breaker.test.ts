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

  it('by default keeps a portal whose calls fail 5 % of the time (after their retries) reachable, and refuses one that is down after 5 failed calls', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const flaky = new CircuitBreaker('resource', { now: clock().now });
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      try {
        flaky.acquire()(random() < 0.05 ? 'failure' : 'success');
      } catch {
        refused++;
      }
    }
    expect(flaky.snapshot().opens).toBe(0);
    expect(refused).toBe(0);
    // A portal that was answering, then goes down: the window still holds one of its successes.
    const down = new CircuitBreaker('resource', { now: clock().now });
    for (let i = 0; i < 30; i++) succeed(down);
    for (let i = 0; i < 4; i++) fail(down);
    expect(down.state).toBe('closed');
    fail(down);
    expect(down.state).toBe('open');
    expect(() => down.acquire()).toThrow(/resource: circuit breaker open after 5 of the last 6 calls failed/);
  });

  it('a call admitted before it opened stops at its next retry (check), a probe call may finish its retries', () => {
    const c = clock();
    const b = new CircuitBreaker('resource', { volume: 2, minCalls: 2, failureRate: 1, coolDownMs: 1_000, now: c.now });
    const inFlight = b.acquire();
    inFlight.check(); // closed: may retry
    fail(b);
    fail(b);
    expect(b.state).toBe('open');
    expect(() => inFlight.check()).toThrow(/circuit breaker open/);
    inFlight('failure'); // its late report neither re-opens nor extends the cool-down
    expect(b.snapshot().opens).toBe(1);
    c.advance(1_000);
    const probe = b.acquire();
    expect(probe.probe).toBe(true);
    probe.check();
    probe('success');
    expect(b.state).toBe('closed');
  });
});

describe('CircuitBreaker: a failure rate over a sliding window with a minimum volume', () => {
  it('opens on the share of failed attempts in the window, not on a run of them', () => {
    const b = new CircuitBreaker('resource', { volume: 10, minCalls: 10, failureRate: 0.8, now: clock().now });
    // 8 of 10 failed, never more than 4 in a row: opens.
    for (const o of ['f', 'f', 'f', 'f', 's', 'f', 'f', 'f', 's', 'f'] as const) (o === 'f' ? fail : succeed)(b);
    expect(b.state).toBe('open');
    expect(b.snapshot().window).toMatchObject({ calls: 10, failures: 8, volume: 10, failureRate: 0.8 });

    // 7 of 10 failed, and then 9 in a row would not be reached by a flaky run: stays closed.
    const flaky = new CircuitBreaker('resource', { volume: 10, minCalls: 10, failureRate: 0.8, now: clock().now });
    for (const o of ['f', 'f', 'f', 's', 'f', 'f', 's', 'f', 'f', 's'] as const) (o === 'f' ? fail : succeed)(flaky);
    expect(flaky.state).toBe('closed');
    expect(flaky.snapshot().window).toMatchObject({ calls: 10, failures: 7 });
  });

  it('does not open before the window holds the minimum volume, however many of them failed', () => {
    const b = new CircuitBreaker('nms', { volume: 10, minCalls: 6, failureRate: 0.5, now: clock().now });
    for (let i = 0; i < 5; i++) fail(b);
    expect(b.state).toBe('closed');
    expect(b.snapshot().window).toMatchObject({ calls: 5, failures: 5, minCalls: 6 });
    fail(b);
    expect(b.state).toBe('open');
  });

  it('by default, a down portal is refused after 3 failed calls when nothing else was called within the window', () => {
    const c = clock();
    const b = new CircuitBreaker('resource', { now: c.now });
    expect(b.snapshot().window).toMatchObject({ volume: 6, minCalls: 3, failureRate: 0.8, windowMs: 60_000 });
    succeed(b);
    c.advance(60_001); // that answer has left the window
    fail(b);
    fail(b);
    expect(b.state).toBe('closed');
    fail(b);
    expect(b.state).toBe('open');
    // A window of 4 with one answer in it is not enough (3 of 4 < 80 %).
    const mixed = new CircuitBreaker('resource', { now: c.now });
    succeed(mixed);
    fail(mixed);
    fail(mixed);
    fail(mixed);
    expect(mixed.state).toBe('closed');
  });

  it('forgets outcomes older than the window: failures spread over a long time never open it', () => {
    const c = clock();
    const b = new CircuitBreaker('crm', { volume: 4, minCalls: 4, failureRate: 1, windowMs: 1_000, now: c.now });
    for (let i = 0; i < 12; i++) {
      fail(b);
      c.advance(400); // at most three failures are ever within one second of each other
    }
    expect(b.state).toBe('closed');
    expect(b.snapshot().window.calls).toBeLessThanOrEqual(3);
    c.advance(1_001);
    for (let i = 0; i < 3; i++) fail(b);
    expect(b.state).toBe('closed');
    fail(b); // four within one second
    expect(b.state).toBe('open');
  });

  it('after a probe closes it, starts from an empty window: the failures that opened it do not re-open it', () => {
    const c = clock();
    const b = new CircuitBreaker('resource', { volume: 5, minCalls: 5, failureRate: 0.6, coolDownMs: 1_000, now: c.now });
    for (let i = 0; i < 5; i++) fail(b);
    expect(b.state).toBe('open');
    c.advance(1_000);
    succeed(b);
    expect(b.state).toBe('closed');
    fail(b);
    fail(b);
    fail(b);
    expect(b.state).toBe('closed');
    expect(b.snapshot().window).toMatchObject({ calls: 4, failures: 3 });
  });

  it('says in its snapshot that it is this process\'s breaker', () => {
    const b = new CircuitBreaker('resource', { now: clock().now });
    expect(b.snapshot().process).toMatch(new RegExp(`:${process.pid}$`));
  });
});
