/**
 * A circuit breaker per legacy system. When a portal is down, retrying every request against it
 * only queues users behind timeouts and hammers a system that is trying to come back; so when the
 * recent calls to it mostly failed, the breaker opens and calls for that system fail at once,
 * without touching the browser. After `coolDownMs` it half-opens: one call (the probe) goes
 * through; its success closes the breaker, its failure opens it again for another cool-down.
 *
 * Policy: a failure RATE of whole CALLS over a sliding window with a minimum volume. A call is
 * failed when it ended without an answer after its retries (the runner's jittered backoff within
 * the deadline); a single failed attempt is not. The window holds the last `volume` calls that
 * reached the system, none older than `windowMs`; the breaker opens when it holds at least
 * `minCalls` and at least `failureRate` of them failed. Defaults: the last 6 calls, at least 3,
 * 80 % (3 of 3, 4 of 4, 4 of 5, 5 of 6), 60 s, because:
 *   - attempts are the wrong unit: how many fail depends on the tool's shape (a two-page read at
 *     30 % failed answers fails 51 % of its attempts, more with sessions expiring: 60 % measured),
 *     and on a flaky portal failed attempts come in runs (the old policy, 5 then 10 failed attempts
 *     in a row, opened on it: 13 of 50 queries answered);
 *   - whole calls of a flaky portal fail rarely: 0-3 of 40 measured at 30 % errors with sessions
 *     expiring (tests/flaky-portal.e2e.test.ts); even at 5 % failed calls, P(>= 5 of 6) = 2e-6 per
 *     call, at 2 % 2e-8, so a flaky portal stays reachable;
 *   - a portal that is down (every call fails) is refused after 3 failed calls when the window
 *     was empty or quiet, 5 when it was full of answers: the calls in flight when it opens stop
 *     at their next retry, later ones never reach the browser. The minimum of 3 is the price:
 *     3 failed calls in a row with no other call within a minute (q = 5 %: 1e-4)
 *     (bench/flaky-portal.bench.ts: attempts before open, refusal latency).
 *
 * Only the system's own failures count: a call that never reached it (it waited for a browser page
 * until its deadline, the pool closed, the caller gave up) is reported `ignored`; the app's
 * queueing is not the portal's fault. A session that expired and was renewed by a fresh login is
 * not a failure either (the pool does it inside the attempt).
 *
 * Per process, on purpose (docs/architecture.md, circuit breaker): each worker judges the portal by
 * what its own browser reaches; /healthz shows each process's breakers with its host:pid.
 */
import { hostname } from 'node:os';
import type { LegacySystem } from './define.js';
import { SystemError } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

export interface BreakerOptions {
  /** The window's size: the last this many calls (default 6). */
  volume?: number;
  /** Minimum volume: calls the window must hold before it may open (default half the window, rounded up). */
  minCalls?: number;
  /** @deprecated `volume` with `minCalls` equal to it (the window must be full). */
  failureThreshold?: number;
  /** Share of failed calls in a full window that opens the breaker (default 0.8). */
  failureRate?: number;
  /** Outcomes older than this leave the window (default 60 s). */
  windowMs?: number;
  /** How long it stays open before letting a probe through (default 30 s). */
  coolDownMs?: number;
  now?: () => number;
}

export interface BreakerSnapshot {
  system: LegacySystem;
  state: BreakerState;
  /** Breakers are per process: whose these are (host:pid). */
  process: string;
  /** The sliding window now: calls in it, how many failed, the policy that opens it. */
  window: { calls: number; failures: number; volume: number; minCalls: number; failureRate: number; windowMs: number };
  /** Failed calls since the last answered one (informational; the rate decides). */
  consecutiveFailures: number;
  /** ISO time the breaker last opened, if it is open or half-open. */
  openedAt: string | null;
  /** ISO time a probe will be let through, while open. */
  retryAt: string | null;
  /** Times it has opened since start. */
  opens: number;
  /** Calls that never reached the system (queueing, shutdown), not counted either way. */
  ignored: number;
}

/**
 * One call's admission: report its outcome once at its end; before each retry, check() throws
 * circuit_open if the breaker opened meanwhile (a probe call may finish its retries).
 */
export interface BreakerTicket {
  (outcome: BreakerOutcome): void;
  check(): void;
  readonly probe: boolean;
}

const PROCESS_ID = `${hostname()}:${process.pid}`;

export class CircuitBreaker {
  /** Outcomes of the last calls that reached the system, oldest first. */
  private window: { at: number; failed: boolean }[] = [];
  private consecutive = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private opens = 0;
  private ignored = 0;
  private readonly volume: number;
  private readonly minCalls: number;
  private readonly failureRate: number;
  private readonly windowMs: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;

  constructor(
    readonly system: LegacySystem,
    opts: BreakerOptions = {},
  ) {
    this.volume = Math.max(1, Math.floor(opts.volume ?? opts.failureThreshold ?? 6));
    // The deprecated name keeps its meaning (the window must be full); `volume` defaults to half.
    const minDefault = opts.volume === undefined && opts.failureThreshold !== undefined ? this.volume : Math.ceil(this.volume / 2);
    this.minCalls = Math.min(this.volume, Math.max(1, Math.floor(opts.minCalls ?? minDefault)));
    this.failureRate = Math.min(1, Math.max(0.01, opts.failureRate ?? 0.8));
    this.windowMs = Math.max(1, opts.windowMs ?? 60_000);
    this.coolDownMs = Math.max(0, opts.coolDownMs ?? 30_000);
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.coolDownMs ? 'half_open' : 'open';
  }

  /** True while calls would be refused outright (open, or half-open with its probe running). */
  get refusing(): boolean {
    const s = this.state;
    return s === 'open' || (s === 'half_open' && this.probeInFlight);
  }

  /**
   * Admit one call. Throws SystemError('circuit_open') when refused; otherwise returns its ticket:
   * report the call's outcome with it (exactly once) — `ignored` when it never reached the system
   * (a probe so reported lets the next call probe instead) — and check() before each retry.
   */
  acquire(): BreakerTicket {
    const s = this.state;
    if (s === 'open' || (s === 'half_open' && this.probeInFlight)) throw this.openError();
    const probe = s === 'half_open';
    if (probe) this.probeInFlight = true;
    let reported = false;
    const ticket = ((outcome: BreakerOutcome) => {
      if (reported) return;
      reported = true;
      if (probe) this.probeInFlight = false;
      if (outcome === 'success') this.onSuccess();
      else if (outcome === 'failure') this.onFailure(probe);
      else this.ignored++;
    }) as BreakerTicket;
    ticket.check = () => {
      if (!probe && !reported && this.openedAt !== null) throw this.openError();
    };
    Object.defineProperty(ticket, 'probe', { value: probe });
    return ticket;
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    this.prune();
    return {
      system: this.system,
      state,
      process: PROCESS_ID,
      window: {
        calls: this.window.length,
        failures: this.failuresInWindow(),
        volume: this.volume,
        minCalls: this.minCalls,
        failureRate: this.failureRate,
        windowMs: this.windowMs,
      },
      consecutiveFailures: this.consecutive,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      retryAt: state === 'open' && this.openedAt !== null ? new Date(this.openedAt + this.coolDownMs).toISOString() : null,
      opens: this.opens,
      ignored: this.ignored,
    };
  }

  private record(failed: boolean): void {
    this.window.push({ at: this.now(), failed });
    if (this.window.length > this.volume) this.window.splice(0, this.window.length - this.volume);
    this.prune();
  }

  private prune(): void {
    const since = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.window.length && this.window[drop]!.at < since) drop++;
    if (drop > 0) this.window.splice(0, drop);
  }

  private failuresInWindow(): number {
    let n = 0;
    for (const o of this.window) if (o.failed) n++;
    return n;
  }

  private onSuccess(): void {
    this.consecutive = 0;
    if (this.openedAt !== null) {
      // The probe answered: closed, with a clean window (the failures that opened it are history).
      this.openedAt = null;
      this.window = [];
    }
    this.record(false);
  }

  private onFailure(probe: boolean): void {
    this.consecutive++;
    this.record(true);
    if (probe) {
      this.open();
      return;
    }
    if (this.openedAt !== null) return; // a late report from a call admitted before it opened
    const n = this.window.length;
    if (n >= this.minCalls && this.failuresInWindow() >= Math.ceil(this.failureRate * n - 1e-9)) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.opens++;
  }

  private openError(): SystemError {
    const retryInS = this.openedAt === null ? 0 : Math.max(0, Math.ceil((this.openedAt + this.coolDownMs - this.now()) / 1000));
    const failed = this.failuresInWindow();
    return new SystemError(
      'circuit_open',
      this.system,
      `${this.system}: circuit breaker open after ${failed} of the last ${this.window.length} calls failed; not calling the ${this.system} system for ${retryInS} s`,
    );
  }
}

/** One breaker per system, created on first use. */
export class CircuitBreakers {
  private readonly map = new Map<LegacySystem, CircuitBreaker>();
  constructor(private readonly opts: BreakerOptions = {}) {}

  get(system: LegacySystem): CircuitBreaker {
    let b = this.map.get(system);
    if (!b) {
      b = new CircuitBreaker(system, this.opts);
      this.map.set(system, b);
    }
    return b;
  }

  isOpen(system: string): boolean {
    return this.map.get(system as LegacySystem)?.refusing ?? false;
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.map.values()].map((b) => b.snapshot());
  }
}
