/**
 * Fault injection: one settings object per system in SandboxState.faults, consulted before every
 * request under that system's prefix, and switchable at run time through the admin endpoint:
 *
 *   POST   /admin/faults  { "system": "resource", "latencyMs": 800, "errorRate": 0.2,
 *                           "timeoutRate": 0.1, "expireSessions": true, "layout": "b", "seed": 7 }
 *   GET    /admin/faults  current settings of every system
 *   DELETE /admin/faults  all systems back to no faults (?system=nms: that one only)
 *
 * Random faults come from a seeded PRNG per system (reset by every POST), so a test run with the
 * same seed and the same request order meets the same faults.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SessionStore } from './auth.js';
import { parseCookies, sendHtml } from './auth.js';
import { bearerToken } from './api-auth.js';
import { alertBox, page } from './html.js';
import { layoutContext } from './layout.js';
import { createRng, type Rng } from './random.js';
import { noFaults, type FaultSettings, type SandboxState, type SystemKey } from './state.js';
import { SYSTEMS, systemOfPath } from './systems.js';


/** "ticket" is what the tools call the ticket system; the sandbox's key is "tickets". */
const systemName = z
  .enum(['crm', 'resource', 'nms', 'tickets', 'ticket', 'billing', 'channel', 'sms', 'risk'])
  .transform((s): SystemKey => (s === 'ticket' ? 'tickets' : s));

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0).max(600_000);

export const faultPatchSchema = z
  .object({
    system: systemName,
    unavailable: z.boolean().optional(),
    latencyMs: ms.optional(),
    errorRate: rate.optional(),
    timeoutRate: rate.optional(),
    hangMs: ms.optional(),
    expireSessions: z.boolean().optional(),
    sessionExpiryRate: rate.optional(),
    layout: z.enum(['a', 'b']).optional(),
    slowAfterSaveMs: ms.optional(),
    seed: z.number().int().optional(),
  })
  .strict()
  .refine((f) => (f.errorRate ?? 0) + (f.timeoutRate ?? 0) <= 1, { message: 'errorRate + timeoutRate must be at most 1' });

export type FaultPatch = z.input<typeof faultPatchSchema>;

export interface FaultController {
  /** Merge a patch into a system's settings (validated); returns the new settings. */
  set(patch: FaultPatch): FaultSettings;
  reset(system?: SystemKey): void;
  /** Sleeps that end early (rejecting) when the sandbox closes, so close() never waits on a hang. */
  sleep(ms: number): Promise<void>;
}

export function installFaults(app: FastifyInstance, state: SandboxState, sessions: SessionStore): FaultController {
  const rngs = new Map<SystemKey, Rng>();
  const rngOf = (key: SystemKey): Rng => {
    let r = rngs.get(key);
    if (!r) {
      r = createRng(state.faults[key].seed * 31 + key.length);
      rngs.set(key, r);
    }
    return r;
  };
  const closing = new AbortController();
  app.addHook('onClose', async () => closing.abort());
  const abortableSleep = (n: number) => sleep(n, undefined, { signal: closing.signal });

  const controller: FaultController = {
    set(raw) {
      const { system, ...patch } = faultPatchSchema.parse(raw);
      const next: FaultSettings = { ...state.faults[system], ...patch };
      if (next.errorRate + next.timeoutRate > 1) throw new Error('errorRate + timeoutRate must be at most 1');
      const wasExpiring = state.faults[system].expireSessions;
      state.faults[system] = next;
      rngs.delete(system);
      if (next.expireSessions && !wasExpiring) sessions.dropSystem(system);
      return next;
    },
    reset(system) {
      for (const key of system ? [system] : (Object.keys(state.faults) as SystemKey[])) {
        state.faults[key] = noFaults();
        rngs.delete(key);
      }
    },
    sleep: abortableSleep,
  };

  app.addHook('onRequest', async (req, reply) => {
    const sys = systemOfPath(req.url);
    if (!sys) return;
    const f = state.faults[sys.key];
    if (f.latencyMs > 0) await abortableSleep(f.latencyMs).catch(() => undefined);
    if (f.unavailable) {
      return sendHtml(
        reply,
        page({ system: sys, title: '系统维护中 Maintenance', body: alertBox(['系统维护中，请稍后再试 / System under maintenance, try again later'], 'unavailable') }),
        503,
      );
    }
    if (f.errorRate > 0 || f.timeoutRate > 0) {
      const r = rngOf(sys.key).next();
      if (r < f.errorRate) {
        return sendHtml(
          reply,
          page({ system: sys, title: '系统错误 Error', body: alertBox(['系统内部错误，请联系管理员 / Internal server error'], 'error') }),
          500,
        );
      }
      if (r < f.errorRate + f.timeoutRate) {
        await abortableSleep(f.hangMs).catch(() => undefined);
        return sendHtml(reply, page({ system: sys, title: '网关超时 Gateway timeout', body: alertBox(['网关超时 / Gateway timeout'], 'error') }), 504);
      }
    }
    const isLogin = req.url.split('?')[0]?.replace(/\/+$/, '') === `${sys.prefix}/login`;
    if (f.expireSessions && !isLogin && rngOf(sys.key).chance(f.sessionExpiryRate)) {
      // The next guard finds no session and sends the robot to the login page, as after a portal restart.
      sessions.destroy(parseCookies(req.headers.cookie)[sys.cookie]);
      sessions.destroy(bearerToken(req.headers.authorization)); // API systems: the bearer token
    }
  });

  // Callback style on purpose: the rest of the request runs inside run(), so html.ts sees the layout.
  app.addHook('onRequest', (req, _reply, done) => {
    const sys = systemOfPath(req.url);
    layoutContext.run(sys ? state.faults[sys.key].layout : 'a', done);
  });

  app.get('/admin/faults', async () => state.faults);
  app.post('/admin/faults', async (req, reply) => {
    const parsed = faultPatchSchema.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: 'invalid_fault_settings',
        message: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; '),
      });
    }
    const settings = controller.set(req.body as FaultPatch);
    return { system: parsed.data.system, settings };
  });
  app.delete<{ Querystring: { system?: string } }>('/admin/faults', async (req, reply) => {
    const raw = req.query.system;
    if (raw === undefined) {
      controller.reset();
      return state.faults;
    }
    const sys = systemName.safeParse(raw);
    if (!sys.success) return reply.code(400).send({ error: 'invalid_fault_settings', message: `unknown system "${raw}" (one of ${Object.keys(SYSTEMS).join(', ')})` });
    controller.reset(sys.data);
    return state.faults;
  });
  return controller;
}
