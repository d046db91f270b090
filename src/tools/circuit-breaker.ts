/**
 * A circuit breaker per legacy system. When a portal is down, retrying every request against it
 * only queues users behind timeouts and hammers a system that is trying to come back; so after
 * `failureThreshold` consecutive SystemErrors the breaker opens and calls for that system fail at
 * once. After `coolDownMs` it half-opens: one call (the probe) goes through; its success closes
 * the breaker, its failure opens it again for another cool-down.
 *
 * Only the system's own failures count: an attempt that never reached it (it waited for a browser
 * page until its deadline, the pool closed) is reported `ignored` — the app's queueing is not the
 * portal's fault. The default threshold (10 in a row) keeps a flaky portal reachable: at 30 %
 * failed answers ten in a row happen about once in 170,000 attempts, while a portal that is down
 * is refused after ten.
 */
import type { LegacySystem } from './define.js';
import { SystemError } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

export interface BreakerOptions {
  /** Consecutive SystemErrors that open the breaker (default 10). */
  failureThreshold?: number;
  /** How long it stays open before letting a probe through (default 30 s). */
  coolDownMs?: number;
  now?: () => number;
}

export interface BreakerSnapshot {
  system: LegacySystem;
  state: BreakerState;
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

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private opens = 0;
  private ignored = 0;
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;

  constructor(
    readonly system: LegacySystem,
    opts: BreakerOptions = {},
  ) {
    this.threshold = Math.max(1, opts.failureThreshold ?? 10);
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
    return {
      system: this.system,
      state,
      consecutiveFailures: this.failures,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      retryAt: state === 'open' && this.openedAt !== null ? new Date(this.openedAt + this.coolDownMs).toISOString() : null,
      opens: this.opens,
      ignored: this.ignored,
    };
  }

  private onSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
  }

  private onFailure(probe: boolean): void {
    this.failures++;
    if (probe || (this.openedAt === null && this.failures >= this.threshold)) {
      this.openedAt = this.now();
      this.opens++;
    }
  }

  private openError(): SystemError {
    const retryInS = this.openedAt === null ? 0 : Math.max(0, Math.ceil((this.openedAt + this.coolDownMs - this.now()) / 1000));
    return new SystemError(
      'circuit_open',
      this.system,
      `${this.system}: circuit breaker open after ${this.failures} consecutive failures; not calling the ${this.system} system for ${retryInS} s`,
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
