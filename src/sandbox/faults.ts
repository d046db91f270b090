/**
 * Fault injection: one settings object per system in SandboxState.faults, consulted before every
 * request under that system's prefix. Defaults are all off; tests flip them on the live state.
 * (More failure modes — error rates, session drops, slow pages — belong here.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { sendHtml } from './auth.js';
import { alertBox, page } from './html.js';
import type { SandboxState } from './state.js';
import { systemOfPath } from './systems.js';

export function installFaults(app: FastifyInstance, state: SandboxState): void {
  app.addHook('onRequest', async (req, reply) => {
    const sys = systemOfPath(req.url);
    if (!sys) return;
    const f = state.faults[sys.key];
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.unavailable) {
      return sendHtml(
        reply,
        page({ system: sys, title: '系统维护中 Maintenance', body: alertBox(['系统维护中，请稍后再试 / System under maintenance, try again later'], 'unavailable') }),
        503,
      );
    }
  });
}
