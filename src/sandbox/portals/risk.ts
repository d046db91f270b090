/**
 * 实名/风控服务 Real-name & risk service: a JSON API (bearer token, api-auth.ts).
 *
 *   GET /risk/api/health                                  → { ok: true }
 *   GET /risk/api/blacklist?mobile=…&residentId=…         → { hits: [...], riskLevel, checkedAt }
 *
 * At least one of mobile / residentId; mobile takes +86/0086, spaces and dashes; residentId takes
 * full-width digits, spaces and a lower-case x. A value of the wrong shape answers 422
 * { error: "invalid_params", params: [...] }. Hits carry the full value (the tool masks it).
 * riskLevel: high when on the blacklist or the fraud list, medium for arrears_risk or watch,
 * low otherwise. Seeded lists: seed-risk-sms.ts.
 */
import type { FastifyInstance } from 'fastify';
import { queryOf } from '../auth.js';
import type { RiskEntry } from '../seed-risk-sms.js';
import type { PortalContext } from './context.js';

export type RiskLevel = 'low' | 'medium' | 'high';

export function normalizeMobile(raw: string): string {
  return raw.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
}

export function normalizeResidentId(raw: string): string {
  return raw
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uFF38\uFF58x]/g, 'X')
    .replace(/[\s-]/g, '');
}

export function riskLevelOf(hits: readonly Pick<RiskEntry, 'list'>[]): RiskLevel {
  if (hits.some((h) => h.list === 'blacklist' || h.list === 'fraud')) return 'high';
  if (hits.length > 0) return 'medium';
  return 'low';
}

export function riskRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  scope.get('/api/health', async () => ({ ok: true }));

  scope.get('/api/blacklist', async (req, reply) => {
    const q = queryOf(req);
    const mobile = q.mobile !== undefined && q.mobile.trim() !== '' ? normalizeMobile(q.mobile) : undefined;
    const residentId = q.residentId !== undefined && q.residentId.trim() !== '' ? normalizeResidentId(q.residentId) : undefined;
    if (mobile === undefined && residentId === undefined) {
      return reply.code(400).send({ error: 'invalid_request', message: 'mobile or residentId is required' });
    }
    const bad: string[] = [];
    if (mobile !== undefined && !/^1[3-9]\d{9}$/.test(mobile)) bad.push('mobile');
    if (residentId !== undefined && !/^(\d{17}[\dX]|\d{15})$/.test(residentId)) bad.push('residentId');
    if (bad.length > 0) return reply.code(422).send({ error: 'invalid_params', params: bad });
    const hits = ctx.state.risk.entries
      .filter((e) => (e.subject === 'mobile' && e.value === mobile) || (e.subject === 'residentId' && e.value === residentId))
      .map((e) => ({ list: e.list, subject: e.subject, value: e.value, reason: e.reason, since: e.since, source: e.source }));
    return { hits, riskLevel: riskLevelOf(hits), checkedAt: ctx.now().toISOString() };
  });
}
