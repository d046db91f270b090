/**
 * 短信网关 SMS gateway: a JSON API (bearer token, api-auth.ts). Registered templates only.
 *
 *   GET  /sms/api/templates                → { templates: [{ id, name, text, params }] }
 *   POST /sms/api/messages { mobile, templateId, params, idempotencyKey }
 *        201 { messageId, status: "queued", text, …, alreadyApplied: false }
 *        200 the same message again, alreadyApplied: true — the idempotency key was seen before
 *            with the same mobile, template and params (nothing is sent twice)
 *        409 { error: "idempotency_key_reused" } — seen before with a different message
 *        400 { error: "missing_idempotency_key" } | { error: "invalid_request" }
 *        404 { error: "unknown_template", templateId }
 *        422 { error: "invalid_mobile" } | { error: "invalid_params", missing, unexpected, invalid }
 *        409 { error: "opted_out" } — the number refused notices
 *   GET  /sms/api/messages?idempotencyKey=…&mobile=…  → { messages: [...] } (read-back)
 *   GET  /sms/api/messages/:id             → the message | 404 { error: "not_found" }
 *
 * Accepted messages are kept in state.sms.messages so tests can count them.
 */
import type { FastifyInstance } from 'fastify';
import { apiSessionOf } from '../api-auth.js';
import { queryOf } from '../auth.js';
import { renderTemplate, templateParams, type SmsMessage } from '../seed-risk-sms.js';
import type { PortalContext } from './context.js';
import { normalizeMobile } from './risk.js';

const PARAM_MAX = 100;

function view(m: SmsMessage) {
  return {
    messageId: m.messageId,
    mobile: m.mobile,
    templateId: m.templateId,
    params: m.params,
    text: m.text,
    status: m.status,
    idempotencyKey: m.idempotencyKey,
    createdAt: m.createdAt,
  };
}

const sameParams = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

export function smsRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  const sms = () => ctx.state.sms;

  scope.get('/api/templates', async () => ({
    templates: sms().templates.map((t) => ({ id: t.id, name: t.name, text: t.text, params: templateParams(t.text) })),
  }));

  scope.post('/api/messages', async (req, reply) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      return reply.code(400).send({ error: 'invalid_request', message: 'a JSON object body is required' });
    }
    const b = req.body as Record<string, unknown>;
    const key = typeof b.idempotencyKey === 'string' ? b.idempotencyKey.trim() : '';
    if (!key) return reply.code(400).send({ error: 'missing_idempotency_key', message: 'idempotencyKey is required' });
    const mobile = typeof b.mobile === 'string' ? normalizeMobile(b.mobile) : '';
    const templateId = typeof b.templateId === 'string' ? b.templateId.trim().toUpperCase() : '';
    const rawParams = b.params && typeof b.params === 'object' && !Array.isArray(b.params) ? (b.params as Record<string, unknown>) : {};

    const seen = sms().messages.find((m) => m.idempotencyKey === key);
    if (seen) {
      const params = Object.fromEntries(Object.entries(rawParams).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : String(v)]));
      if (seen.mobile === mobile && seen.templateId === templateId && sameParams(seen.params, params)) {
        return reply.code(200).send({ ...view(seen), alreadyApplied: true });
      }
      return reply.code(409).send({ error: 'idempotency_key_reused', message: 'this idempotency key was used for another message', messageId: seen.messageId });
    }

    const template = sms().templates.find((t) => t.id === templateId);
    if (!template) return reply.code(404).send({ error: 'unknown_template', templateId });
    if (!/^1[3-9]\d{9}$/.test(mobile)) return reply.code(422).send({ error: 'invalid_mobile', message: 'mobile must be an 11-digit mainland number' });

    const required = templateParams(template.text);
    const missing = required.filter((p) => typeof rawParams[p] !== 'string' || (rawParams[p] as string).trim() === '');
    const unexpected = Object.keys(rawParams).filter((p) => !required.includes(p));
    const invalid = required.filter((p) => typeof rawParams[p] === 'string' && (rawParams[p] as string).trim().length > PARAM_MAX);
    if (missing.length + unexpected.length + invalid.length > 0) {
      return reply.code(422).send({
        error: 'invalid_params',
        message: [
          missing.length ? `missing: ${missing.join(', ')}` : '',
          unexpected.length ? `unexpected: ${unexpected.join(', ')}` : '',
          invalid.length ? `longer than ${PARAM_MAX}: ${invalid.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        missing,
        unexpected,
        invalid,
      });
    }
    if (sms().optedOut.includes(mobile)) {
      return reply.code(409).send({ error: 'opted_out', message: 'the subscriber has opted out of notices' });
    }

    const params = Object.fromEntries(required.map((p) => [p, (rawParams[p] as string).trim()]));
    const now = ctx.now();
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    const message: SmsMessage = {
      messageId: `SM${day}${String(sms().messages.length + 1).padStart(6, '0')}`,
      mobile,
      templateId,
      params,
      text: renderTemplate(template.text, params),
      status: 'queued',
      idempotencyKey: key,
      createdAt: now.toISOString(),
      sentBy: apiSessionOf(req).user,
    };
    sms().messages.push(message);
    return reply.code(201).send({ ...view(message), alreadyApplied: false });
  });

  scope.get('/api/messages', async (req) => {
    const q = queryOf(req);
    const mobile = q.mobile ? normalizeMobile(q.mobile) : undefined;
    const messages = sms()
      .messages.filter((m) => (q.idempotencyKey === undefined || m.idempotencyKey === q.idempotencyKey) && (mobile === undefined || m.mobile === mobile))
      .slice(-100)
      .map((m) => view(m));
    return { messages };
  });

  scope.get<{ Params: { id: string } }>('/api/messages/:id', async (req, reply) => {
    const m = sms().messages.find((x) => x.messageId === req.params.id);
    if (!m) return reply.code(404).send({ error: 'not_found', messageId: req.params.id });
    return view(m);
  });
}
