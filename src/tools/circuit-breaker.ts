/**
 * A circuit breaker per legacy system. When a portal is down, retrying every request against it
 * only queues users behind timeouts and hammers a system that is trying to come back; so when the
 * recent attempts against it mostly failed, the breaker opens and calls for that system fail at
 * once, without touching the browser. After `coolDownMs` it half-opens: one call (the probe) goes
 * through; its success closes the breaker, its failure opens it again for another cool-down.
 *
 * Policy: a failure RATE over a sliding window with a minimum volume. The window holds the
 * outcomes of the last `volume` attempts that reached the system, none older than `windowMs`; the
 * breaker opens when the window is full (>= volume attempts) and at least `failureRate` of them
 * failed. Defaults 20 attempts / 90 % / 60 s, because (binomial tail, per evaluation):
 *   - a portal failing 30 % of its answers trips it with P(>= 18 of 20) = 4e-8, and one whose
 *     attempts fail 45 % of the time (a two-page tool at 30 % per page) with 4e-5, so a flaky
 *     portal stays reachable and its calls are carried by the runner's retries;
 *   - a portal that is down (100 % failing) is refused after 18 failed attempts: a few calls' worth
 *     of retries, a second or two of 503s; a portal that does not answer after 18 timeouts.
 * Counting consecutive single attempts (the old policy, 5 then 10 in a row) opened on flaky portals:
 * with sessions expiring, whole runs of attempts failed together.
 *
 * Only the system's own failures count: an attempt that never reached it (it waited for a browser
 * page until its deadline, the pool closed) is reported `ignored`; the app's queueing is not the
 * portal's fault. A session that expired and was renewed by a fresh login inside the attempt is not
 * a failure either (the pool does it; the attempt reports what the portal then answered).
 *
 * Per process, on purpose (docs/architecture.md, circuit breaker): each worker judges the portal by
 * what its own browser reaches; /healthz shows each process's breakers with its pid.
 */
import { hostname } from 'node:os';
import type { LegacySystem } from './define.js';
import { SystemError } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

export interface BreakerOptions {
  /** Minimum volume: attempts the window must hold before it may open, and its size (default 20). */
  volume?: number;
  /** @deprecated the old name of `volume` (RPA_BREAKER_THRESHOLD). */
  failureThreshold?: number;
  /** Share of failed attempts in a full window that opens the breaker (default 0.9). */
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
  /** The sliding window now: attempts in it, how many failed, the policy that opens it. */
  window: { attempts: number; failures: number; volume: number; failureRate: number; windowMs: number };
  /** Failed attempts since the last success (informational; the rate decides). */
  consecutiveFailures: number;
  /** ISO time the breaker last opened, if it is open or half-open. */
  openedAt: string | null;
  /** ISO time a probe will be let through, while open. */
  retryAt: string | null;
  /** Times it has opened since start. */
  opens: number;
  /** Attempts that never reached the system (queueing, shutdown), not counted either way. */
  ignored: number;
}

const PROCESS_ID = `${hostname()}:${process.pid}`;

export class CircuitBreaker {
  /** Outcomes of the last attempts that reached the system, oldest first. */
  private window: { at: number; failed: boolean }[] = [];
  private consecutive = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private opens = 0;
  private ignored = 0;
  private readonly volume: number;
  private readonly failureRate: number;
  private readonly windowMs: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;

  constructor(
    readonly system: LegacySystem,
    opts: BreakerOptions = {},
  ) {
    this.volume = Math.max(1, Math.floor(opts.volume ?? opts.failureThreshold ?? 20));
    this.failureRate = Math.min(1, Math.max(0.01, opts.failureRate ?? 0.9));
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
   * Ask to make one attempt. Throws SystemError('circuit_open') when refused; otherwise returns
   * a function to report the attempt's outcome with (exactly once): `ignored` when the attempt
   * never reached the system (a probe so reported lets the next call probe instead).
   */
  acquire(): (outcome: BreakerOutcome) => void {
    const s = this.state;
    if (s === 'open' || (s === 'half_open' && this.probeInFlight)) throw this.openError();
    const probe = s === 'half_open';
    if (probe) this.probeInFlight = true;
    let reported = false;
    return (outcome) => {
      if (reported) return;
      reported = true;
      if (probe) this.probeInFlight = false;
      if (outcome === 'success') this.onSuccess();
      else if (outcome === 'failure') this.onFailure(probe);
      else this.ignored++;
    };
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    this.prune();
    return {
      system: this.system,
      state,
      process: PROCESS_ID,
      window: {
        attempts: this.window.length,
        failures: this.failuresInWindow(),
        volume: this.volume,
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
    if (this.openedAt !== null) return; // a late report from an attempt started before it opened
    if (this.window.length >= this.volume && this.failuresInWindow() >= Math.ceil(this.failureRate * this.volume - 1e-9)) this.open();
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
      `${this.system}: circuit breaker open after ${failed} of the last ${this.window.length} attempts failed; not calling the ${this.system} system for ${retryInS} s`,
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
