/**
 * sms.sendNotice: one notice from a registered template through the SMS gateway's HTTP API (a
 * write: needs an approval). The approval id is the gateway's idempotency key, so a repeated send
 * is answered "already applied" and nothing goes out twice; verify() reads the message back by
 * that key and checks number, template and text.
 */
import { callApi, errorCodeOf } from '../api-client.js';
import { defineTool, type ToolContext } from '../define.js';
import { BusinessError, SystemError } from '../errors.js';
import { SMS_TEMPLATE_PREVIEW, sendSmsNoticeInput, sendSmsNoticeOutput } from './schemas.js';
import { maskMobile } from '../../policies/masking.js';
import { z } from 'zod';

const SYSTEM = 'sms';

export { SMS_TEMPLATE_PREVIEW } from './schemas.js';

export function renderSmsText(text: string, params: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z]\w*)\}/g, (m, name: string) => params[name] ?? m);
}

const messageSchema = z.object({
  messageId: z.string(),
  mobile: z.string(),
  templateId: z.string(),
  text: z.string(),
  status: z.enum(['queued', 'sent', 'delivered', 'failed']),
  alreadyApplied: z.boolean().optional(),
});
type GatewayMessage = z.infer<typeof messageSchema>;

function parseMessage(body: unknown, what: string): GatewayMessage {
  const m = messageSchema.safeParse(body);
  if (!m.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: ${what} answer has an unexpected shape`);
  return m.data;
}

async function messageByKey(ctx: ToolContext, key: string): Promise<GatewayMessage | null> {
  const res = await callApi(ctx, SYSTEM, 'GET', `/api/messages?idempotencyKey=${encodeURIComponent(key)}`);
  if (res.status !== 200) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: message read-back answered HTTP ${res.status}`);
  const list = z.object({ messages: z.array(z.unknown()) }).safeParse(res.body);
  if (!list.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: message read-back has an unexpected shape`);
  const first = list.data.messages[0];
  return first === undefined ? null : parseMessage(first, 'message read-back');
}

async function templateText(ctx: ToolContext, templateId: string): Promise<string | null> {
  const res = await callApi(ctx, SYSTEM, 'GET', '/api/templates');
  const list = z.object({ templates: z.array(z.object({ id: z.string(), text: z.string() })) }).safeParse(res.body);
  if (res.status !== 200 || !list.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: template list answered HTTP ${res.status}`);
  return list.data.templates.find((t) => t.id === templateId)?.text ?? null;
}

export const sendNotice = defineTool({
  name: 'sms.sendNotice',
  effect: 'write',
  system: 'sms',
  description:
    '用已登记的短信模板给客户发送通知（需主管审批）：故障受理、上门预约、故障恢复、欠费提醒。Send the customer a notice from a registered SMS template (needs a manager\'s approval): SMS_FAULT_NOTICE, SMS_APPOINTMENT_NOTICE, SMS_RESTORE_NOTICE, SMS_ARREARS_REMINDER, with the template\'s parameters.',
  input: sendSmsNoticeInput,
  output: sendSmsNoticeOutput,
  scope: { input: [{ path: 'mobile', kind: 'customer', via: 'mobileRegion' }], output: [] },
  async run(input, ctx) {
    const res = await callApi(ctx, SYSTEM, 'POST', '/api/messages', {
      mobile: input.mobile,
      templateId: input.templateId,
      params: input.params,
      idempotencyKey: ctx.idempotencyKey,
    });
    const code = errorCodeOf(res.body);
    if (res.status === 201 || res.status === 200) {
      const m = parseMessage(res.body, 'send');
      const alreadyApplied = res.status === 200 || m.alreadyApplied === true;
      ctx.step(alreadyApplied ? 'gateway recognised the idempotency key: not sent again' : 'queued', { messageId: m.messageId });
      return { messageId: m.messageId, templateId: m.templateId, text: m.text, status: m.status, alreadyApplied };
    }
    if (res.status === 404 && code === 'unknown_template') {
      throw new BusinessError('not_found', `No registered SMS template ${input.templateId}`, { zh: `短信网关没有登记模板 ${input.templateId}`, templateId: input.templateId });
    }
    if (res.status === 422 && code === 'invalid_params') {
      const b = res.body as { missing?: unknown; unexpected?: unknown; invalid?: unknown };
      const names = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      const missing = names(b.missing);
      const unexpected = names(b.unexpected);
      const invalid = names(b.invalid);
      const en = [missing.length && `missing ${missing.join(', ')}`, unexpected.length && `not in the template: ${unexpected.join(', ')}`, invalid.length && `too long: ${invalid.join(', ')}`]
        .filter(Boolean)
        .join('; ');
      const zh = [missing.length && `缺少 ${missing.join('、')}`, unexpected.length && `模板中没有 ${unexpected.join('、')}`, invalid.length && `过长 ${invalid.join('、')}`]
        .filter(Boolean)
        .join('；');
      throw new BusinessError('invalid_input', `Wrong parameters for ${input.templateId}: ${en}`, { zh: `模板 ${input.templateId} 的参数有误：${zh}`, missing, unexpected, invalid });
    }
    if (res.status === 422 && code === 'invalid_mobile') {
      throw new BusinessError('invalid_input', 'The SMS gateway refused the mobile number', { zh: '短信网关不接受该手机号码' });
    }
    if (res.status === 409 && code === 'opted_out') {
      throw new BusinessError('not_eligible', `${maskMobile(input.mobile)} has opted out of notices`, { zh: `${maskMobile(input.mobile)} 已退订通知短信，不能发送` });
    }
    if (res.status === 409 && code === 'idempotency_key_reused') {
      throw new BusinessError('conflict', 'This approval was already used for a different message', { zh: '该审批单已用于另一条短信，未发送' });
    }
    if (res.status === 400) throw new BusinessError('invalid_input', `The SMS gateway refused the request (${code ?? 'bad request'})`, { zh: `短信网关拒绝了请求（${code ?? 'bad request'}）` });
    throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: send answered HTTP ${res.status}${code ? ` (${code})` : ''}`);
  },
  async verify(input, output, ctx) {
    const key = ctx.idempotencyKey;
    if (!key) return { ok: false, lines: [{ label: 'Message', value: 'no idempotency key to look it up by', zh: { label: '短信', value: '没有可查询的幂等键' } }] };
    const m = await messageByKey(ctx, key);
    if (!m) return { ok: false, lines: [{ label: 'Message', value: 'not found at the gateway (not sent)', zh: { label: '短信', value: '短信网关查无此短信（未发送）' } }] };
    const template = await templateText(ctx, input.templateId);
    const expectedText = template === null ? output?.text ?? null : renderSmsText(template, input.params);
    const checks = [
      { label: 'Mobile', zh: '手机号码', ok: m.mobile === input.mobile, value: maskMobile(m.mobile) },
      { label: 'Template', zh: '短信模板', ok: m.templateId === input.templateId, value: m.templateId },
      { label: 'Text', zh: '短信内容', ok: expectedText !== null && m.text === expectedText, value: m.text },
    ];
    return {
      ok: checks.every((c) => c.ok),
      lines: [
        { label: 'Message', value: `${m.messageId} (${m.status})`, zh: { label: '短信', value: `${m.messageId}（${m.status}）` } },
        ...checks.map((c) => ({ label: c.label, value: c.ok ? `${c.value} ✓` : `${c.value} ✗`, zh: { label: c.zh, value: c.ok ? `${c.value} ✓` : `${c.value} ✗` } })),
      ],
    };
  },
  summarize(input, lang) {
    const preview = SMS_TEMPLATE_PREVIEW[input.templateId];
    const text = preview ? renderSmsText(preview.text, input.params) : Object.entries(input.params).map(([k, v]) => `${k}=${v}`).join(', ');
    return lang === 'zh'
      ? [
          { label: '手机号码', value: maskMobile(input.mobile), key: 'mobile' },
          { label: '短信模板', value: preview ? `${input.templateId}（${preview.zh}）` : input.templateId, key: 'templateId' },
          { label: preview ? '短信内容' : '参数', value: text, key: 'params' },
        ]
      : [
          { label: 'Mobile', value: maskMobile(input.mobile), key: 'mobile' },
          { label: 'Template', value: preview ? `${input.templateId} (${preview.en})` : input.templateId, key: 'templateId' },
          { label: preview ? 'Text' : 'Parameters', value: text, key: 'params' },
        ];
  },
});
