/**
 * Login for the sandbox's JSON-API systems (SystemDef.carrier === 'api': SMS gateway, risk
 * service), like a real service gateway: POST {prefix}/api/login {username, password} answers a
 * bearer token; every other route of the system wants `Authorization: Bearer <token>` and answers
 * 401 JSON otherwise ({error:"unauthorized"}, or {error:"session_expired"} for a token this
 * system issued that is no longer live). Tokens live in the portals' SessionStore, so the idle
 * timeout and fault injection's expireSessions drop them exactly like portal sessions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_IDLE_MS, type AuthOptions, type Session } from './auth.js';
import type { SystemDef } from './systems.js';

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h ?? '');
  return m?.[1];
}

const apiSessions = new WeakMap<FastifyRequest, Session>();

/** The session the API guard accepted for this request. Only valid on guarded routes. */
export function apiSessionOf(req: FastifyRequest): Session {
  const s = apiSessions.get(req);
  if (!s) throw new Error('apiSessionOf() called on a route without a session');
  return s;
}

/** Remembered so a dropped token is told "session_expired", not "unauthorized" (bounded). */
const MAX_REMEMBERED = 10_000;

export function installApiAuth(scope: FastifyInstance, sys: SystemDef, opts: AuthOptions): void {
  const loginPath = `${sys.prefix}/api/login`;
  const issued = new Set<string>();

  scope.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url === loginPath) return;
    const token = bearerToken(req.headers.authorization);
    const session = opts.sessions.touch(sys.key, token);
    if (session) {
      apiSessions.set(req, session);
      return;
    }
    const expired = token !== undefined && issued.has(token);
    return reply
      .code(401)
      .header('www-authenticate', `Bearer realm="${sys.key}"${expired ? ', error="invalid_token"' : ''}`)
      .send({ error: expired ? 'session_expired' : 'unauthorized' });
  });

  scope.post(
    '/api/login',
    async (req, reply) => {
      const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      if (typeof b.username !== 'string' || typeof b.password !== 'string') {
        return reply.code(400).send({ error: 'invalid_request', message: 'username and password (JSON strings) are required' });
      }
      if (b.username !== opts.username || b.password !== opts.password) {
        return reply.code(401).send({ error: 'invalid_credentials' });
      }
      const s = opts.sessions.create(sys.key, b.username);
      if (issued.size >= MAX_REMEMBERED) issued.clear();
      issued.add(s.id);
      return reply.code(200).send({ token: s.id, expiresInSeconds: Math.floor(SESSION_IDLE_MS / 1000) });
    },
  );
}
