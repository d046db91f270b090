/**
 * Per-system login, like the real portals: each system has its own session cookie scoped to its
 * path prefix, 30 minutes idle timeout, and sends anyone without a session to its login page with
 * ?next= so the robot lands where it was going after logging in.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { alertBox, html, page, statusBox, textField } from './html.js';
import type { SystemDef } from './systems.js';

export const SESSION_IDLE_MS = 30 * 60_000;

export interface Session {
  id: string;
  system: string;
  user: string;
  lastSeen: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  constructor(private readonly now: () => number, private readonly idleMs = SESSION_IDLE_MS) {}

  create(system: string, user: string): Session {
    const s: Session = { id: randomBytes(18).toString('base64url'), system, user, lastSeen: this.now() };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session for this token and system (refreshing its idle timer), or null. */
  touch(system: string, id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s || s.system !== system) return null;
    if (this.now() - s.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return null;
    }
    s.lastSeen = this.now();
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Drop every session of one system (fault injection: "the portal restarted"). */
  dropSystem(system: string): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (s.system === system) {
        this.sessions.delete(id);
        n++;
      }
    }
    return n;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    if (k && !(k in out)) out[k] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

/** Form fields of an application/x-www-form-urlencoded body (parsed in server.ts). */
export function formOf(req: FastifyRequest): Record<string, string> {
  const b = req.body;
  if (!b || typeof b !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function queryOf(req: FastifyRequest): Record<string, string> {
  const q = req.query;
  const out: Record<string, string> = {};
  if (q && typeof q === 'object') for (const [k, v] of Object.entries(q as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

const sessionByRequest = new WeakMap<FastifyRequest, Session>();

/** The session the guard accepted for this request. Only valid on guarded routes. */
export function sessionOf(req: FastifyRequest): Session {
  const s = sessionByRequest.get(req);
  if (!s) throw new Error('sessionOf() called on a route without a session');
  return s;
}

/** Only same-system paths, so ?next= cannot send the browser anywhere else. */
export function safeNext(sys: SystemDef, next: string | undefined): string {
  if (!next) return sys.home;
  const ok = next === sys.prefix || next.startsWith(`${sys.prefix}/`) || next.startsWith(`${sys.prefix}?`);
  if (!ok || next.startsWith(`${sys.prefix}/login`) || /[\\\r\n]|\.\./.test(next)) return sys.home;
  return next;
}

export interface AuthOptions {
  sessions: SessionStore;
  username: string;
  password: string;
}

export function sendHtml(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

function loginPage(sys: SystemDef, next: string, opts: { error?: string; notice?: string; username?: string }): string {
  return page({
    system: sys,
    title: '登录 Login',
    body: html`<h2>用户登录 User login</h2>
${opts.notice ? statusBox('session_expired', opts.notice) : ''}
${opts.error ? alertBox([opts.error]) : ''}
<form method="post" action="${sys.prefix}/login" aria-label="登录 Login">
<fieldset>
<input type="hidden" name="next" value="${next}">
${textField({ name: 'username', label: '用户名 Username', value: opts.username ?? '', autocomplete: 'username' })}
${textField({ name: 'password', label: '密码 Password', type: 'password', autocomplete: 'current-password' })}
<button type="submit">登录 Login</button>
</fieldset>
</form>`,
  });
}

/**
 * Adds login/logout routes and the session guard to a scope registered under sys.prefix.
 * Every other route of the scope requires a live session.
 */
export function installAuth(scope: FastifyInstance, sys: SystemDef, opts: AuthOptions): void {
  const loginPath = `${sys.prefix}/login`;
  const cookieAttrs = `Path=${sys.prefix}; HttpOnly; SameSite=Lax`;

  scope.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url === loginPath) return;
    const token = parseCookies(req.headers.cookie)[sys.cookie];
    const session = opts.sessions.touch(sys.key, token);
    if (session) {
      sessionByRequest.set(req, session);
      return;
    }
    // After a POST the original URL is not something a GET can reopen: go back to the system home.
    const next = req.method === 'GET' ? req.url : sys.home;
    const params = new URLSearchParams({ next: safeNext(sys, next) });
    if (token) params.set('expired', '1');
    return reply.redirect(`${loginPath}?${params.toString()}`, 302);
  });

  scope.get('/login', async (req, reply) => {
    const q = queryOf(req);
    const next = safeNext(sys, q.next);
    const current = opts.sessions.touch(sys.key, parseCookies(req.headers.cookie)[sys.cookie]);
    if (current) return reply.redirect(next, 302);
    const notice = q.expired ? '会话已过期，请重新登录 / Session expired, please log in again' : undefined;
    return sendHtml(reply, loginPage(sys, next, { notice }));
  });

  scope.post('/login', async (req, reply) => {
    const f = formOf(req);
    const next = safeNext(sys, f.next);
    if (f.username !== opts.username || f.password !== opts.password) {
      return sendHtml(reply, loginPage(sys, next, { error: '用户名或密码错误 / Wrong username or password', username: f.username }));
    }
    opts.sessions.destroy(parseCookies(req.headers.cookie)[sys.cookie]);
    const s = opts.sessions.create(sys.key, f.username);
    reply.header('set-cookie', `${sys.cookie}=${s.id}; ${cookieAttrs}`);
    return reply.redirect(next, 302);
  });

  scope.post('/logout', async (req, reply) => {
    opts.sessions.destroy(parseCookies(req.headers.cookie)[sys.cookie]);
    reply.header('set-cookie', `${sys.cookie}=; ${cookieAttrs}; Max-Age=0`);
    return reply.redirect(loginPath, 302);
  });
}
