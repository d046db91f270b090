/**
 * Console login with OpenID Connect (authorization code + PKCE, state and nonce) through
 * openid-client. The provider is discovered on first use (and again after a failure), so the bot
 * starts while the provider is briefly down. The person is looked up in the directory by the
 * configured claim (platform_identities, channel 'oidc'); an unknown subject gets a 403 page and
 * an `identity.unknown` audit row, never a session.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as oidc from 'openid-client';
import { isLoopbackHost } from '../../config.js';
import type { Directory } from '../../store/directory.js';
import type { Db } from '../../store/db.js';
import { cookieHeader, CSRF_HEADER, currentSession, parseCookies, sameToken, SESSION_COOKIE, type AuditFn, type SessionStore } from './auth.js';
import { seal, unseal } from './sealed.js';

export const LOGIN_COOKIE = '__Host-switchboard-login';
const LOGIN_TTL_SECONDS = 600;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  redirectUrl: string;
  scopes: string;
  principalClaim: string;
  postLogoutUrl?: string | undefined;
  sessionTtlMinutes: number;
  key: Buffer;
}

export interface OidcDeps {
  db: Db;
  directory: Directory;
  sessions: SessionStore;
  audit: AuditFn;
}

interface LoginTransaction {
  verifier: string;
  state: string;
  nonce: string;
  /** A re-authentication (?reauth=1), asked for at `at` (ms). */
  reauth?: boolean;
  at?: number;
}

export function registerOidcRoutes(app: FastifyInstance, s: OidcSettings, deps: OidcDeps): void {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(
        new URL(s.issuer),
        s.clientId,
        s.clientSecret ? { client_secret: s.clientSecret } : { token_endpoint_auth_method: 'none' },
        s.clientSecret ? oidc.ClientSecretPost(s.clientSecret) : oidc.None(),
        // Plain HTTP only for a provider on this machine (tests, a local Keycloak); TLS otherwise.
        isLoopbackHost(new URL(s.issuer).hostname) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  // ?reauth=1: the provider must ask for the password again (prompt=login, max_age=0) and the ID
  // token's auth_time is checked, for approvals of the top risk tier.
  app.get('/console/login', async (req, reply) => {
    const reauth = (req.query as Record<string, unknown> | undefined)?.reauth === '1';
    let config: oidc.Configuration;
    try {
      config = await configuration();
    } catch (err) {
      console.error('[console] OpenID provider discovery failed:', (err as Error).message);
      return page(reply, 503, '登录服务暂不可用 / Login is unavailable', '无法连接身份提供方，请稍后再试。 / The identity provider could not be reached; try again shortly.');
    }
    const tx: LoginTransaction = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), ...(reauth && { reauth: true, at: Date.now() }) };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: s.redirectUrl,
      scope: s.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(tx.verifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
      ...(reauth && { prompt: 'login', max_age: '0' }),
    });
    return reply
      .header('set-cookie', cookieHeader(LOGIN_COOKIE, seal(s.key, LOGIN_COOKIE, tx, LOGIN_TTL_SECONDS), LOGIN_TTL_SECONDS))
      .header('cache-control', 'no-store')
      .redirect(url.href, 302);
  });

  app.get('/console/callback', async (req, reply) => {
    const raw = parseCookies(req.headers.cookie).get(LOGIN_COOKIE);
    const tx = raw ? (unseal(s.key, LOGIN_COOKIE, raw) as LoginTransaction | undefined) : undefined;
    const clearLogin = cookieHeader(LOGIN_COOKIE, '', 0);
    if (!tx || typeof tx.verifier !== 'string') {
      return page(reply.header('set-cookie', clearLogin), 400, '登录已过期 / Login expired', '请重新登录。 / Please <a href="/console/login">log in again</a>.');
    }
    let claims: Record<string, unknown>;
    let idToken: string | undefined;
    try {
      const config = await configuration();
      // The URL as the provider sent it, on the registered redirect URL (a proxy may rewrite the host).
      const current = new URL(s.redirectUrl);
      current.search = new URL(req.url, 'http://x').search;
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
        ...(tx.reauth && { maxAge: 0 }),
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
      idToken = tokens.id_token;
    } catch (err) {
      console.warn('[console] login failed:', (err as Error).message);
      return page(reply.header('set-cookie', clearLogin), 401, '登录失败 / Login failed', '请重新登录。 / Please <a href="/console/login">log in again</a>.');
    }
    const value = claims[s.principalClaim];
    const subject = typeof value === 'string' ? value : typeof claims.sub === 'string' ? claims.sub : '';
    const principal = typeof value === 'string' ? deps.directory.byPlatformUser('oidc', value) : undefined;
    if (!principal || !deps.directory.byPlatformUser('console', principal.id)) {
      // Only the subject identifier is kept; a claim such as email is hashed (audit rows hold no personal data).
      const named = s.principalClaim === 'sub' ? subject : `sha256:${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;
      await deps.audit({ actor: `oidc:${named}`, action: 'identity.unknown', subject: '/console/callback', details: { channel: 'oidc', claim: s.principalClaim, issuer: s.issuer } });
      return page(
        reply.header('set-cookie', clearLogin),
        403,
        '未开通 / Not enrolled',
        '您已登录身份提供方，但尚未被加入 Switchboard 的人员目录。请联系管理员。 / You signed in, but you are not enrolled in Switchboard\'s directory. Ask an administrator to map your account.',
      );
    }
    // auth_time is when the person typed their credentials; without it, a re-auth login counts from
    // when it was asked for (the provider was told max_age=0), any other from now.
    const authTime = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : tx.reauth && typeof tx.at === 'number' ? new Date(tx.at) : undefined;
    if (tx.reauth && (!authTime || authTime.getTime() < (tx.at ?? 0) - 60_000)) {
      return page(reply.header('set-cookie', clearLogin), 401, '需要重新登录 / Sign in again', '身份提供方没有重新验证你的身份。 / The provider did not sign you in again. <a href="/console/login?reauth=1">Try again</a>.');
    }
    const previous = await currentSession(deps.db, req);
    if (previous) await deps.sessions.end(previous.token);
    const token = await deps.sessions.open({ principalId: principal.id, subject, ...(idToken ? { idToken } : {}), ...(authTime ? { authenticatedAt: authTime } : {}) });
    await deps.audit({ actor: principal.id, action: 'console.login', subject: 'oidc', details: { issuer: s.issuer, ...(tx.reauth && { reauth: true }) } });
    return reply
      .header('set-cookie', [clearLogin, cookieHeader(SESSION_COOKIE, token, s.sessionTtlMinutes * 60)])
      .header('cache-control', 'no-store')
      .redirect('/console', 302);
  });

  /** Logout is state-changing: it needs the session's CSRF token like every other POST. */
  app.post('/console/logout', async (req, reply) => {
    const session = await currentSession(deps.db, req);
    const clear = cookieHeader(SESSION_COOKIE, '', 0);
    if (!session) return reply.header('set-cookie', clear).send({ ok: true, redirect: '/console' });
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
      await deps.audit({ actor: session.principalId, action: 'csrf.refused', subject: '/console/logout', details: { method: 'POST', token: typeof sent === 'string' ? 'wrong' : 'missing' } });
      return reply.code(403).send({ error: 'forbidden: missing or wrong CSRF token' });
    }
    await deps.sessions.end(session.token);
    await deps.audit({ actor: session.principalId, action: 'console.logout', subject: 'oidc' });
    let redirect = '/console';
    try {
      const config = await configuration();
      if (config.serverMetadata().end_session_endpoint) {
        redirect = oidc.buildEndSessionUrl(config, {
          ...(session.idToken ? { id_token_hint: session.idToken } : {}),
          ...(s.postLogoutUrl ? { post_logout_redirect_uri: s.postLogoutUrl } : {}),
        }).href;
      }
    } catch {
      /* the local session is over either way */
    }
    return reply.header('set-cookie', clear).header('cache-control', 'no-store').send({ ok: true, redirect });
  });
}

/** A minimal bilingual HTML page (the answer a browser shows), with the status a script sees. */
function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body style="font-family:system-ui;max-width:40rem;margin:4rem auto"><h1>${title}</h1><p>${body}</p></body></html>`,
    );
}

