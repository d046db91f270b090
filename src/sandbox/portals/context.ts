import type { SandboxState } from '../state.js';

/** What every portal's routes share. */
export interface PortalContext {
  state: SandboxState;
  /** The sandbox clock (injectable so tests can move time). */
  now: () => Date;
  /** Fault delays; ends early when the sandbox closes. */
  sleep?: (ms: number) => Promise<void>;
}
