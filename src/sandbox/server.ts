/**
 * The sandbox: four imitation legacy portals (CRM, resource, NMS, tickets) in one fastify app,
 * each under its own path prefix with its own login. Server-rendered HTML, no client script,
 * so RPA tools drive it exactly as they would drive the real systems.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin.js';
import { installAuth, SessionStore, sendHtml } from './auth.js';
import { installApiAuth } from './api-auth.js';
import { installFaults, type FaultController } from './faults.js';
import { html, page } from './html.js';
import type { PortalContext } from './portals/context.js';
import { crmRoutes } from './portals/crm.js';
import { nmsRoutes } from './portals/nms.js';
import { resourceRoutes } from './portals/resource.js';
import { ticketsRoutes } from './portals/tickets.js';
import { billingRoutes } from './portals/billing.js';
import { channelRoutes } from './portals/channel.js';
import { smsRoutes } from './portals/sms.js';
import { riskRoutes } from './portals/risk.js';
import { DEFAULT_SEED } from './seed.js';
import { createState, type SandboxState, type SystemKey } from './state.js';
import { SYSTEMS } from './systems.js';

export type { SandboxState } from './state.js';

export interface SandboxOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'rpa_bot'. */
  username?: string;
  /** Default 'sandbox'. */
  password?: string;
  /** Data seed; default DEFAULT_SEED. Demo entities are the same for every seed. */
  seed?: number;
  /** Sandbox clock (session idle timeout, write log times). Default: the real clock. */
  now?: () => Date;
  /** fastify request logging. Default off. */
  logger?: boolean;
}

export interface SandboxHandle {
  /** e.g. http://127.0.0.1:3100 (no trailing slash) */
  url: string;
  close(): Promise<void>;
  state: SandboxState;
  /** Fault injection in-process (the same as POST /admin/faults). */
  faults: FaultController;
}

const ROUTES: Record<SystemKey, (scope: FastifyInstance, ctx: PortalContext) => void> = {
  crm: crmRoutes,
  resource: resourceRoutes,
  nms: nmsRoutes,
  tickets: ticketsRoutes,
  billing: billingRoutes,
  channel: channelRoutes,
  sms: smsRoutes,
  risk: riskRoutes,
};

/** The app without listening (for inject-based tests). */
export async function buildSandboxApp(opts: SandboxOptions = {}): Promise<{ app: FastifyInstance; state: SandboxState; faults: FaultController }> {
  const state = createState(opts.seed ?? DEFAULT_SEED);
  const now = opts.now ?? (() => new Date());
  const sessions = new SessionStore(() => now().getTime());
  const app = Fastify({ logger: opts.logger ?? false });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const faults = installFaults(app, state, sessions);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/', async (_req, reply) =>
    sendHtml(
      reply,
      page({
        title: '系统导航 Systems',
        body: html`<h2>系统导航 Systems</h2><ul id="systems">${Object.values(SYSTEMS).map(
          (s) => html`<li><a href="${s.home}">${s.nameZh} ${s.nameEn}</a></li>`,
        )}</ul>`,
      }),
    ),
  );
  adminRoutes(app, state);

  const ctx: PortalContext = { state, now, sleep: faults.sleep };
  for (const sys of Object.values(SYSTEMS)) {
    await app.register(
      async (scope) => {
        const auth = { sessions, username: opts.username ?? 'rpa_bot', password: opts.password ?? 'sandbox' };
        // JSON-API systems (sms, risk) log in with a bearer token instead of a form and a cookie.
        if (sys.carrier === 'api') installApiAuth(scope, sys, auth);
        else installAuth(scope, sys, auth);
        ROUTES[sys.key](scope, ctx);
      },
      { prefix: sys.prefix },
    );
  }
  return { app, state, faults };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const { app, state, faults } = await buildSandboxApp(opts);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : opts.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, close: () => app.close(), state, faults };
}
