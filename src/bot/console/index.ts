/**
 * The console's entry point for the composition root: picks the access mode (demo personas on
 * loopback, OpenID Connect login, or off), registers the page, its API, the login routes and the
 * operations endpoints behind the same identity check.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consoleAuthMode, type Config } from '../../config.js';
import type { Role } from '../../policies/principals.js';
import { appendAudit } from '../../store/audit.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { demoAuth, sessionAuth, sessionStore, type AuditFn, type ConsoleAuth } from './auth.js';
import { registerOidcRoutes } from './oidc.js';
import { claimedIn, registerConsoleRoutes, type ConsoleDeps } from './routes.js';
import { sessionKey } from './sealed.js';

export interface ConsoleAccess {
  mode: 'demo' | 'oidc' | 'off';
  /** One line for the start-up log and /healthz. */
  describe: string;
  /** An operations endpoint for some roles; 404 while the console is off. */
  operation(http: FastifyInstance, url: string, roles: readonly Role[], handler: (req: FastifyRequest) => Promise<unknown>): void;
}

export function registerConsole(
  http: FastifyInstance,
  config: Config,
  deps: Omit<ConsoleDeps, 'auth' | 'audit'> & { db: Db; directory: Directory },
): ConsoleAccess {
  const mode = consoleAuthMode(config);
  const audit: AuditFn = async (e) => {
    // A refusal is answered even if its audit row cannot be written; the failure is logged.
    await appendAudit(deps.db, { actor: e.actor, action: e.action, subject: e.subject ?? null, details: e.details ?? {} }).catch((err: Error) =>
      console.error('[console] audit append failed:', err.message),
    );
  };
  if (mode === 'off') {
    return {
      mode,
      describe: 'off (CONSOLE=off): no console page, API or operations endpoints',
      operation: () => undefined,
    };
  }
  let auth: ConsoleAuth;
  let describe: string;
  if (mode === 'demo') {
    auth = demoAuth({ db: deps.db, directory: deps.directory, audit });
    describe = `DEMO MODE: no login, whoever reaches this listener (${config.HOST}) picks any persona; loopback only`;
  } else {
    const key = sessionKey(config.SESSION_SECRET!);
    const sessions = sessionStore(deps.db, config.SESSION_TTL_MINUTES);
    auth = sessionAuth({ db: deps.db, directory: deps.directory, audit });
    registerOidcRoutes(
      http,
      {
        issuer: config.OIDC_ISSUER!,
        clientId: config.OIDC_CLIENT_ID!,
        clientSecret: config.OIDC_CLIENT_SECRET,
        redirectUrl: config.OIDC_REDIRECT_URL!,
        scopes: config.OIDC_SCOPES,
        principalClaim: config.OIDC_PRINCIPAL_CLAIM,
        postLogoutUrl: config.OIDC_POST_LOGOUT_URL,
        sessionTtlMinutes: config.SESSION_TTL_MINUTES,
        key,
      },
      { db: deps.db, directory: deps.directory, sessions, audit },
    );
    describe = `login required (OpenID Connect, ${config.OIDC_ISSUER})`;
  }
  registerConsoleRoutes(http, { ...deps, auth, audit });
  return {
    mode,
    describe,
    operation(app, url, roles, handler) {
      app.get(url, async (req: FastifyRequest, reply: FastifyReply) => {
        const caller = await auth.withRole(req, reply, roles, { claimed: claimedIn(req.query) });
        if (!caller) return reply;
        return reply.header('cache-control', 'no-store').send(await handler(req));
      });
    },
  };
}
