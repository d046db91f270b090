/**
 * Who is calling the console and its operations endpoints. Two modes, never mixed:
 *  - demo: the caller names a seeded persona (body `user` or `?user=`). Anyone who reaches the
 *    listener is anyone, so config.ts only allows it on a loopback address.
 *  - oidc: an OpenID Connect login (./oidc.ts) opens a server-side session; the cookie carries a
 *    random token, every state-changing request carries the session's CSRF token, and the principal
 *    comes from the directory by the provider's subject. A `user` in a body is ignored.
 * Refusals of a known or claimed identity are audited; anonymous 401s are not (anyone could flood
 * the chain with them).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../../config.js';
import type { Principal, Role } from '../../policies/principals.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { endConsoleSession, insertConsoleSession, liveConsoleSession, pruneConsoleSessions } from '../../store/console-access-repo.js';

export const SESSION_COOKIE = '__Host-switchboard-session';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleCaller {
  principal: Principal;
  /** The console's platform user id of this person (what InboundMessage.sender.id carries). */
  userId: string;
  via: 'demo' | 'oidc';
  /** oidc: when the person last signed in at the provider (for approvals that need a fresh sign-in). */
  authenticatedAt?: Date;
}

export type AuditFn = (entry: { actor: string; action: string; subject?: string; details?: Record<string, unknown> }) => Promise<void>;

export interface CallerOptions {
  /** The identity a demo-mode request names; ignored in oidc mode. */
  claimed?: string | undefined;
  /** POST and the like: needs the session's CSRF token in oidc mode. */
  stateChanging?: boolean;
}

export interface ConsoleAuth {
  mode: 'demo' | 'oidc';
  /** The caller, or undefined after a 401/403 has been sent (and audited where someone was named). */
  caller(req: FastifyRequest, reply: FastifyReply, opts?: CallerOptions): Promise<ConsoleCaller | undefined>;
  /** Like caller(), and the person must hold one of the roles. */
  withRole(req: FastifyRequest, reply: FastifyReply, roles: readonly Role[], opts?: CallerOptions): Promise<ConsoleCaller | undefined>;
}

export interface AuthDeps {
  db: Db;
  directory: Directory;
  audit: AuditFn;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    try {
      if (!out.has(name)) out.set(name, decodeURIComponent(value));
    } catch {
      /* a malformed cookie is no cookie */
    }
  }
  return out;
}

/** `__Host-` cookies: Secure, Path=/, no Domain, so no sibling host or plain-HTTP page can set or read them. */
export function cookieHeader(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

async function refuseRole(reply: FastifyReply, deps: AuthDeps, caller: ConsoleCaller, roles: readonly Role[], req: FastifyRequest): Promise<undefined> {
  await deps.audit({ actor: caller.principal.id, action: 'access.refused', subject: routeOf(req), details: { needs: [...roles], has: caller.principal.roles, via: caller.via } });
  void reply.code(403).send({ error: `forbidden: ${routeOf(req)} is for ${roles.join(' or ')}; ${caller.principal.name} is ${caller.principal.roles.join(', ') || 'no role'}` });
  return undefined;
}

const routeOf = (req: FastifyRequest) => req.routeOptions.url ?? req.url.split('?')[0] ?? req.url;

/** Either mode's caller, plus the role check both share (a refusal is audited). */
function withRoles(mode: ConsoleAuth['mode'], caller: ConsoleAuth['caller'], deps: AuthDeps): ConsoleAuth {
  return {
    mode,
    caller,
    async withRole(req, reply, roles, opts) {
      const c = await caller(req, reply, opts);
      if (!c) return undefined;
      return c.principal.roles.some((r) => roles.includes(r)) ? c : refuseRole(reply, deps, c, roles, req);
    },
  };
}

/**
 * Why a demo request did not come straight from this machine: a proxy in front of a loopback
 * listener (forwarding headers, a public Host) would publish the personas, and a web page whose
 * name was re-pointed at 127.0.0.1 (DNS rebinding) arrives with its own Host.
 */
function notLocal(req: FastifyRequest): string | undefined {
  if (req.headers['x-forwarded-for'] || req.headers.forwarded || req.headers['x-real-ip']) return 'it came through a proxy';
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopbackHost(host)) return `it was addressed to "${host}"`;
  const remote = req.socket.remoteAddress ?? '';
  if (!isLoopbackHost(remote)) return 'it came from another machine';
  return undefined;
}

/** Demo mode: the persona the request names, for requests from this machine only. */
export function demoAuth(deps: AuthDeps): ConsoleAuth {
  const caller: ConsoleAuth['caller'] = async (req, reply, opts = {}) => {
    const why = notLocal(req);
    if (why) {
      void reply.code(403).send({ error: `forbidden: the demo console (personas, no login) answers only requests made on this machine, and ${why}. Configure CONSOLE_AUTH=oidc for remote use.` });
      return undefined;
    }
    const user = opts.claimed;
    if (!user) {
      void reply.code(400).send({ error: 'user: required (the demo persona: body "user" or ?user=)' });
      return undefined;
    }
    const principal = deps.directory.byPlatformUser('console', user);
    if (!principal) {
      await deps.audit({ actor: `console:${user}`, action: 'identity.unknown', subject: routeOf(req), details: { channel: 'console', claimed: user } });
      void reply.code(403).send({
        error: `unknown user "${user}": not enrolled in the directory (try ${deps.directory
          .all()
          .filter((p) => deps.directory.platformIdsOf('console', p.id).length > 0)
          .map((p) => p.id)
          .join(', ')})`,
      });
      return undefined;
    }
    return { principal, userId: user, via: 'demo' };
  };
  return withRoles('demo', caller, deps);
}

export interface SessionStore {
  /** A new session for a principal; returns the cookie token (stored only as its hash). */
  open(s: { principalId: string; subject: string; idToken?: string; authenticatedAt?: Date }): Promise<string>;
  end(token: string): Promise<boolean>;
}

export function sessionStore(db: Db, ttlMinutes: number): SessionStore {
  return {
    async open(s) {
      // Logins are rare next to requests: the moment to drop sessions that ended a day ago.
      await pruneConsoleSessions(db);
      const token = randomBytes(32).toString('base64url');
      await insertConsoleSession(db, {
        tokenHash: sha256(token),
        principalId: s.principalId,
        subject: s.subject,
        csrfToken: randomBytes(32).toString('base64url'),
        ...(s.idToken ? { idToken: s.idToken } : {}),
        ...(s.authenticatedAt ? { authenticatedAt: s.authenticatedAt } : {}),
        ttlMinutes,
      });
      return token;
    },
    end: (token) => endConsoleSession(db, sha256(token)),
  };
}

export interface LiveSession {
  token: string;
  principalId: string;
  subject: string;
  csrfToken: string;
  idToken: string | null;
  authenticatedAt: Date;
}

export async function currentSession(db: Db, req: FastifyRequest): Promise<LiveSession | undefined> {
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (!token || token.length > 200) return undefined;
  const row = await liveConsoleSession(db, sha256(token));
  return row ? { token, principalId: row.principal_id, subject: row.subject, csrfToken: row.csrf_token, idToken: row.id_token, authenticatedAt: new Date(row.authenticated_at) } : undefined;
}

/** OIDC mode: the session's principal; body and query identities are never read. */
export function sessionAuth(deps: AuthDeps): ConsoleAuth {
  const caller: ConsoleAuth['caller'] = async (req, reply, opts = {}) => {
    const session = await currentSession(deps.db, req);
    if (!session) {
      void reply.code(401).send({ error: 'login required', login: '/console/login' });
      return undefined;
    }
    const principal = deps.directory.get(session.principalId);
    if (!principal || !deps.directory.byPlatformUser('console', principal.id)) {
      await deps.audit({ actor: `oidc:${session.subject}`, action: 'identity.unknown', subject: routeOf(req), details: { channel: 'oidc', principal: session.principalId, reason: 'no longer in the directory' } });
      void reply.code(403).send({ error: 'forbidden: your account is no longer enrolled in the directory' });
      return undefined;
    }
    if (opts.stateChanging) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
        await deps.audit({ actor: principal.id, action: 'csrf.refused', subject: routeOf(req), details: { method: req.method, token: typeof sent === 'string' ? 'wrong' : 'missing' } });
        void reply.code(403).send({ error: `forbidden: missing or wrong CSRF token (send the ${CSRF_HEADER} header from GET /console/api/session)` });
        return undefined;
      }
    }
    return { principal, userId: principal.id, via: 'oidc', authenticatedAt: session.authenticatedAt };
  };
  return withRoles('oidc', caller, deps);
}
