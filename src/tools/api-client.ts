/**
 * The HTTP-API carrier: one logged-in JSON client per legacy system that is driven through its
 * API (tools/systems.ts carrier 'api': SMS gateway, risk service) instead of a browser page.
 *
 * - Login: POST {base}/api/login {username, password} → {token}; the token is shared by every
 *   concurrent call of that system, and only one login per system runs at a time (the others
 *   wait for it). A refused login is a configuration fault (SystemError unavailable).
 * - Every request carries `Authorization: Bearer <token>`, a JSON body, and the call's
 *   AbortSignal (the runner's deadline) plus a per-request timeout.
 * - Classification, the same contract as a browser page: 401 → log in again and retry once (a
 *   second 401 is SystemError session_expired); 5xx → unavailable; network failure →
 *   unavailable; abort or timeout → timeout; a body that is not JSON → unexpected_page; any
 *   other status comes back as { status, body } for the tool to turn into a BusinessError.
 */
import type { ApiClient, ApiResponse, LegacySystem, ToolContext } from './define.js';
import { SystemError } from './errors.js';

export interface ApiClientsOptions {
  baseUrl(system: LegacySystem): string;
  credentials: { username: string; password: string };
  /** Limit of one HTTP request (login included), whatever the call's deadline. Default 15 s. */
  requestTimeoutMs?: number;
  /** For tests. Default: the global fetch. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface SystemSession {
  token: string | null;
  login: Promise<string> | null;
  logins: number;
}

interface RawAnswer {
  status: number;
  text: string;
}

export class ApiClients {
  private readonly sessions = new Map<LegacySystem, SystemSession>();
  private readonly closing = new AbortController();
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: ApiClientsOptions) {
    this.timeoutMs = Math.max(1, opts.requestTimeoutMs ?? 15_000);
    this.fetchFn = opts.fetch ?? ((...args) => fetch(...args));
  }

  /** A client for one call: the system's shared session, this call's signal. (Bound: pass as `api: clients.for`.) */
  readonly for = (system: LegacySystem, signal: AbortSignal): ApiClient => ({
    request: (method, path, body) => this.request(system, signal, method, path, body),
  });

  /** Logins so far and whether a token is held (tests, health). */
  stats(system: LegacySystem): { logins: number; loggedIn: boolean } {
    const s = this.sessions.get(system);
    return { logins: s?.logins ?? 0, loggedIn: Boolean(s?.token) };
  }

  /** Stops every request in flight and forgets the tokens. */
  async close(): Promise<void> {
    this.closing.abort();
    this.sessions.clear();
  }

  private slot(system: LegacySystem): SystemSession {
    let s = this.sessions.get(system);
    if (!s) {
      s = { token: null, login: null, logins: 0 };
      this.sessions.set(system, s);
    }
    return s;
  }

  private async request(system: LegacySystem, signal: AbortSignal, method: Method, path: string, body?: unknown): Promise<ApiResponse> {
    if (this.closing.signal.aborted) throw new SystemError('unavailable', system, `${system}: API client closed`);
    const slot = this.slot(system);
    const what = `${method} ${pathOnly(path)}`;
    let token = await this.token(system, slot, signal);
    let res = await this.send(system, signal, method, path, body, token);
    if (res.status === 401) {
      // The session was dropped (restart, idle timeout): log in again and retry once. A concurrent
      // call may have logged in already; only the token that failed is thrown away.
      if (slot.token === token) slot.token = null;
      token = await this.token(system, slot, signal);
      res = await this.send(system, signal, method, path, body, token);
      if (res.status === 401) {
        if (slot.token === token) slot.token = null;
        throw new SystemError('session_expired', system, `${system}: ${what} refused the session again after a fresh login (HTTP 401)`);
      }
    }
    if (res.status >= 500) throw new SystemError('unavailable', system, `${system}: ${what} answered HTTP ${res.status}`);
    return { status: res.status, body: parseJson(system, what, res) };
  }

  private token(system: LegacySystem, slot: SystemSession, signal: AbortSignal): Promise<string> {
    if (slot.token) return Promise.resolve(slot.token);
    if (!slot.login) {
      const login = this.login(system, slot).then((t) => {
        // Close() may have run meanwhile; the slot is then no longer in the map, which is harmless.
        slot.token = t;
        return t;
      });
      slot.login = login;
      void login.finally(() => {
        if (slot.login === login) slot.login = null;
      }).catch(() => undefined);
    }
    return untilAborted(slot.login, signal, system);
  }

  /** One login for the system, shared by every caller waiting: not tied to one caller's signal. */
  private async login(system: LegacySystem, slot: SystemSession): Promise<string> {
    slot.logins++;
    const res = await this.send(system, this.closing.signal, 'POST', '/api/login', this.opts.credentials, null);
    if (res.status >= 500) throw new SystemError('unavailable', system, `${system}: login answered HTTP ${res.status}`);
    if (res.status === 401 || res.status === 403) {
      // Wrong robot credentials: a configuration fault, not the user's problem.
      throw new SystemError('unavailable', system, `${system}: login refused (HTTP ${res.status}); check LEGACY_USERNAME / LEGACY_PASSWORD`);
    }
    const body = parseJson(system, 'POST /api/login', res) as { token?: unknown } | null;
    if (res.status !== 200 || !body || typeof body.token !== 'string' || !body.token) {
      throw new SystemError('unexpected_page', system, `${system}: login answered HTTP ${res.status} without a token`);
    }
    return body.token;
  }

  private async send(system: LegacySystem, signal: AbortSignal, method: Method, path: string, body: unknown, token: string | null): Promise<RawAnswer> {
    const url = `${this.opts.baseUrl(system).replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const all = AbortSignal.any([signal, timeout, this.closing.signal]);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const what = `${method} ${pathOnly(path)}`;
    try {
      const res = await this.fetchFn(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: all });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      if (this.closing.signal.aborted) throw new SystemError('unavailable', system, `${system}: API client closed`, { cause: e });
      if (signal.aborted) throw new SystemError('timeout', system, `${system}: ${what} aborted (call deadline)`, { cause: e });
      if (timeout.aborted) throw new SystemError('timeout', system, `${system}: ${what} had no answer within ${this.timeoutMs} ms`, { cause: e });
      throw new SystemError('unavailable', system, `${system}: ${what} failed: ${networkReason(e)}`, { cause: e });
    }
  }
}

/**
 * A tool's API call with its evidence: the step names the method and the path (never the query,
 * which may hold personal data), then the status that came back.
 */
export async function callApi(ctx: ToolContext, system: LegacySystem, method: Method, path: string, body?: unknown): Promise<ApiResponse> {
  const query = path.includes('?') ? [...new URLSearchParams(path.slice(path.indexOf('?') + 1)).keys()] : [];
  ctx.step(`${method} ${pathOnly(path)}`, { system, ...(query.length > 0 && { query }) });
  const res = await ctx.api(system).request(method, path, body);
  ctx.step(`answer HTTP ${res.status}`, { status: res.status, ...(errorCodeOf(res.body) && { error: errorCodeOf(res.body) }) });
  return res;
}

/** The `error` field of a JSON error answer, if any. */
export function errorCodeOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error' in body && typeof (body as { error: unknown }).error === 'string') return (body as { error: string }).error;
  return undefined;
}

function parseJson(system: LegacySystem, what: string, res: RawAnswer): unknown {
  if (res.text.trim() === '') return null;
  try {
    return JSON.parse(res.text) as unknown;
  } catch (e) {
    throw new SystemError('unexpected_page', system, `${system}: ${what} answered HTTP ${res.status} with a body that is not JSON`, { cause: e });
  }
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function networkReason(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : undefined;
  const code = cause && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ?? (e instanceof Error ? e.message : String(e));
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal, system: string): Promise<T> {
  const abortErr = () => new SystemError('timeout', system, `${system}: aborted while waiting for the login`, { cause: signal.reason });
  if (signal.aborted) return Promise.reject(abortErr());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortErr());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
