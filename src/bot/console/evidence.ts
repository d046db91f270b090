/**
 * GET /console/api/evidence/<callId>/<name>: a tool call's screenshot, page HTML or trace, from
 * the database (any replica serves any call's). For managers and auditors whose data scope covers
 * the call's owners (as its scope checks recorded them); anyone else is refused, and the refusal
 * audited (`evidence.refused`). A served file is audited too (`evidence.viewed`): evidence shows
 * what the robot saw of people's records.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../store/db.js';
import { evidenceFileMeta, readEvidenceFile } from '../../store/evidence-repo.js';
import { ownersOutOfScope, seesEveryRegion } from '../../policies/access.js';
import type { AuditFn, ConsoleAuth } from './auth.js';
import { claimedIn } from './routes.js';

const params = z.object({
  callId: z.string().uuid(),
  name: z.string().max(200).regex(/^[0-9a-f-]{36}(-\d+)?\.(png|html|trace\.zip)$/, 'an evidence file name (<callId>[-n].png | .html | .trace.zip)'),
});

/** HTML from a portal is shown as text, never run: it would be script on the console's origin. */
function typeOf(name: string): string {
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.html')) return 'text/plain; charset=utf-8';
  return 'application/zip';
}

export function registerEvidenceRoute(app: FastifyInstance, deps: { db: Db; auth: ConsoleAuth; audit: AuditFn }): void {
  const { db, auth, audit } = deps;
  app.get<{ Params: { callId: string; name: string } }>('/console/api/evidence/:callId/:name', async (req, reply) => {
    const caller = await auth.withRole(req, reply, ['manager', 'auditor'], { claimed: claimedIn(req.query) });
    if (!caller) return reply;
    const p = params.safeParse(req.params);
    if (!p.success) return reply.code(400).send({ error: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { callId, name } = p.data;
    if (!name.startsWith(callId)) return reply.code(404).send({ error: 'not found' });
    const subject = `${callId}/${name}`;
    const meta = await evidenceFileMeta(db, callId, name);
    if (!meta) return reply.code(404).send({ error: `not found: no evidence file ${subject} (never kept, or pruned)` });
    const principal = caller.principal;
    const outside = ownersOutOfScope(principal, meta.owners);
    if (outside.length > 0 || (!meta.complete && !seesEveryRegion(principal))) {
      await audit({ actor: principal.id, action: 'evidence.refused', subject, details: { outside, complete: meta.complete, via: caller.via } });
      const which = outside.length > 0 ? outside.map((o) => o.id).join(', ') : '?';
      return reply.code(403).send({
        error: `forbidden: this evidence shows data outside your data scope (${which}) / 该证据涉及你数据范围以外的数据（${which}）`,
      });
    }
    const bytes = await readEvidenceFile(db, callId, name);
    if (!bytes) return reply.code(404).send({ error: `not found: no evidence file ${subject}` });
    await audit({ actor: principal.id, action: 'evidence.viewed', subject, details: { size: meta.size, via: caller.via } });
    return reply
      .type(typeOf(name))
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('content-disposition', `${name.endsWith('.png') ? 'inline' : 'attachment'}; filename="${name}"`)
      .send(bytes);
  });
}
