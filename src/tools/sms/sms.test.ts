/** sms.sendNotice through the real runtime (HTTP-API carrier) against the sandbox. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RISK_DEMO, SMS_TEMPLATES } from '../../sandbox/seed-risk-sms.js';
import { SMS_TEMPLATE_PREVIEW, sendNotice } from './sms.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { systemCaller } from '../scope.js';

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness();
}, 60_000);
afterEach(() => h.sandbox.faults.reset());
afterAll(() => h?.close());

const customer = (id: string) => h.sandbox.state.customers.find((c) => c.id === id)!;

describe('sms.sendNotice', () => {
  const notice = { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: { ticketId: 'T20261124-0012', eta: '2026-11-25 18:00' } };
  const sent = () => h.sandbox.state.sms.messages;

  it('the tool\'s template preview is the gateway\'s catalogue', () => {
    expect(Object.fromEntries(Object.entries(SMS_TEMPLATE_PREVIEW).map(([id, t]) => [id, t.text]))).toEqual(Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.text])));
  });

  it('normal: sends once per approval id, verify reads it back; the same key again is already applied', async () => {
    const n = sent().length;
    const { output } = (await h.run('sms.sendNotice', notice, { idempotencyKey: 'appr-sms-1' })) as { output: { messageId: string; text: string } };
    expect(output).toMatchObject({ templateId: 'SMS_FAULT_NOTICE', status: 'queued', alreadyApplied: false });
    expect(output.text).toContain('工单 T20261124-0012');
    expect(sent()).toHaveLength(n + 1);
    expect(sent().at(-1)).toMatchObject({ idempotencyKey: 'appr-sms-1', mobile: '13857101234' });

    const check = await h.runtime.runner.verify('sms.sendNotice', notice, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-sms-1' });
    expect(check.ok).toBe(true);
    expect(check.lines.map((l) => l.value).join(' ')).toContain(output.messageId);

    // Boundary: the same idempotency key twice = one message.
    const again = await h.run('sms.sendNotice', notice, { idempotencyKey: 'appr-sms-1' });
    expect(again.output).toMatchObject({ messageId: output.messageId, alreadyApplied: true });
    expect(sent()).toHaveLength(n + 1);
  });

  it('summarize: zh/en lines with the masked number and the rendered text', () => {
    const zh = sendNotice.summarize!(sendNotice.input.parse(notice), 'zh');
    const en = sendNotice.summarize!(sendNotice.input.parse(notice), 'en');
    expect(zh).toContainEqual({ label: '手机号码', value: '138****1234', key: 'mobile' });
    expect(zh.find((l) => l.label === '短信内容')?.value).toContain('预计 2026-11-25 18:00 前处理完毕');
    expect(en.map((l) => l.label)).toEqual(['Mobile', 'Template', 'Text']);
    expect(JSON.stringify([zh, en])).not.toContain('13857101234');
  });

  it('verify after a crash (no output): a message never sent is not ok', async () => {
    const check = await h.runtime.runner.verify('sms.sendNotice', notice, null, { caller: systemCaller('tool test'), idempotencyKey: 'appr-never-sent' });
    expect(check.ok).toBe(false);
  });

  it('abnormal: refuses without an approval id, unknown template, wrong params (named), opted out, bad number', async () => {
    const n = sent().length;
    expect(await h.fail('sms.sendNotice', notice)).toMatchObject({ name: 'BusinessError', code: 'invalid_input' });

    const unknown = await h.fail('sms.sendNotice', { ...notice, templateId: 'SMS_BIRTHDAY' }, { idempotencyKey: 'appr-2' });
    expect(unknown).toMatchObject({ code: 'not_found' });
    expect(unknown.message).toContain('SMS_BIRTHDAY');

    const params = await h.fail('sms.sendNotice', { ...notice, params: { ticketId: 'T20261124-0012', colour: 'red' } }, { idempotencyKey: 'appr-3' });
    expect(params).toMatchObject({ code: 'invalid_input' });
    expect(params.message).toMatch(/missing eta/);
    expect(params.message).toMatch(/colour/);

    const opted = customer(RISK_DEMO.optedOutMobileOf).mobile;
    const out = await h.fail('sms.sendNotice', { ...notice, mobile: opted }, { idempotencyKey: 'appr-4' });
    expect(out).toMatchObject({ code: 'not_eligible' });
    expect(out.message).not.toContain(opted);
    expect(out.message).toContain(`${opted.slice(0, 3)}****${opted.slice(7)}`);

    expect(await h.fail('sms.sendNotice', { ...notice, mobile: '12345' }, { idempotencyKey: 'appr-5' })).toMatchObject({ code: 'invalid_input' });
    expect(sent()).toHaveLength(n);
  });

  it('abnormal: a 500 from the gateway is a SystemError, not retried (a write), nothing sent', async () => {
    const n = sent().length;
    h.sandbox.faults.set({ system: 'sms', errorRate: 1 });
    const err = await h.fail('sms.sendNotice', notice, { idempotencyKey: 'appr-6' });
    expect(err).toMatchObject({ name: 'SystemError', code: 'unavailable' });
    expect(err.record?.attempts).toBe(1);
    expect(sent()).toHaveLength(n);
  });

  it('abnormal: sessions dropped before the send: logs in again and sends exactly once', async () => {
    await h.run('sms.sendNotice', { ...notice, templateId: 'SMS_RESTORE_NOTICE', params: { ticketId: 'T20261124-0012', restoredAt: '2026-11-25 10:30' } }, { idempotencyKey: 'appr-7' });
    const n = sent().length;
    const logins = h.runtime.api.stats('sms').logins;
    h.sandbox.faults.set({ system: 'sms', expireSessions: true, sessionExpiryRate: 0 });
    const { output } = await h.run('sms.sendNotice', { ...notice, templateId: 'SMS_ARREARS_REMINDER', params: { period: '2026-10', amount: '58.00', dueDate: '2026-11-30' } }, { idempotencyKey: 'appr-8' });
    expect(output).toMatchObject({ alreadyApplied: false, text: expect.stringContaining('欠费 58.00 元') });
    expect(h.runtime.api.stats('sms').logins).toBe(logins + 1);
    expect(sent()).toHaveLength(n + 1);
  });
});
