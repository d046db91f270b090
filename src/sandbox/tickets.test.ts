import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from './seed.js';
import { buildSandboxApp } from './server.js';
import type { SandboxState } from './state.js';
import { field, form, hiddenValue, login, resultOf, rowIds } from '../../tests/helpers/sandbox-testkit.js';

const ID = demo.ticketMissing.id;
const completion = {
  broadband_account: 'hz81000123',
  address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501',
  access_port: 'OLT-HZ-01 0/1/3',
  onu_sn: 'HWTC1A2B3C4D',
};

describe('ticket edit with confirmation', () => {
  let app: FastifyInstance;
  let state: SandboxState;
  let cookie: string;
  beforeEach(async () => {
    ({ app, state } = await buildSandboxApp({ now: () => new Date('2026-11-24T03:00:00Z') }));
    cookie = await login(app, '/tickets');
  });
  afterEach(() => app.close());

  const get = (url: string, c = cookie) => app.inject({ url, headers: { cookie: c } });
  const post = (url: string, fields: Record<string, string>, c = cookie) => {
    const f = form(fields);
    return app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, cookie: c } });
  };
  /** Form → confirm page; returns the confirm token. */
  const submit = async (fields: Record<string, string>, c = cookie) => {
    const res = await post(`/tickets/${ID}/edit`, fields, c);
    expect(res.body).toContain('请确认修改 / Please confirm the changes');
    return hiddenValue(res.body, 'confirm_token') as string;
  };
  const confirm = (token: string, c = cookie) => post(`/tickets/${ID}/edit/confirm`, { confirm_token: token }, c);

  it('edit form carries the current values, the version and labelled inputs', async () => {
    const html = (await get(`/tickets/${ID}/edit`)).body;
    expect(hiddenValue(html, 'version')).toBe('1');
    for (const [name, label] of [
      ['broadband_account', '宽带账号 Broadband account'],
      ['address', '装机地址 Address'],
      ['access_port', '接入端口 Access port'],
      ['onu_sn', 'ONU SN'],
      ['idempotency_key', '幂等键 Idempotency key'],
    ]) {
      expect(html).toContain(`<label for="f-${name}">${label}</label>`);
      expect(html).toMatch(new RegExp(`id="f-${name}" name="${name}" value=""`));
    }
  });

  it('form → confirm (old → new) → saved: version +1, one write logged, ticket shows the values', async () => {
    const res = await post(`/tickets/${ID}/edit`, { ...completion, version: '1', idempotency_key: 'appr-1' });
    expect(rowIds(res.body, 'changes')).toEqual(['broadband_account', 'address', 'access_port', 'onu_sn']);
    expect(res.body).toMatch(/data-id="access_port"><td data-field="field">接入端口 Access port<\/td><td data-field="old"><\/td><td data-field="new">OLT-HZ-01 0\/1\/3<\/td><td data-field="changed">是<\/td>/);
    expect(state.writes).toHaveLength(0); // nothing saved before the confirmation
    expect(res.body).toContain('确认保存 Confirm save</button>');
    expect(res.body).toContain('返回修改 Back</button>');

    const saved = await confirm(hiddenValue(res.body, 'confirm_token') as string);
    expect(resultOf(saved.body)).toBe('saved');
    expect(saved.body).toContain('保存成功 / Saved');
    expect(field(saved.body, 'version')).toBe('2');

    expect(state.writes).toEqual([
      {
        ticketId: ID,
        fields: { broadbandAccount: 'hz81000123', address: completion.address, accessPort: 'OLT-HZ-01 0/1/3', onuSn: 'HWTC1A2B3C4D' },
        idempotencyKey: 'appr-1',
        at: '2026-11-24T03:00:00.000Z',
        version: 2,
      },
    ]);
    const detail = (await get(`/tickets/${ID}`)).body;
    expect(field(detail, 'access_port')).toBe('OLT-HZ-01 0/1/3');
    expect(field(detail, 'address')).toBe(completion.address);
    expect(field(detail, 'version')).toBe('2');
    expect(field(detail, 'idempotency_key')).toBe('appr-1');
    expect((await app.inject({ url: '/admin/writes' })).json()).toHaveLength(1);
  });

  it('the same idempotency key twice: applied once, the second answers "already applied"', async () => {
    const first = await confirm(await submit({ ...completion, version: '1', idempotency_key: 'appr-7' }));
    expect(resultOf(first.body)).toBe('saved');
    // A retry after a lost response: the robot reopens the form (now version 2) and submits again.
    const again = await confirm(await submit({ ...completion, version: '2', idempotency_key: 'appr-7' }));
    expect(resultOf(again.body)).toBe('already_applied');
    expect(again.body).toContain('已处理 / Already applied');
    expect(field(again.body, 'version')).toBe('2');
    expect(state.writes).toHaveLength(1);
    expect(state.tickets.find((t) => t.id === ID)?.version).toBe(2);
  });

  it('already applied wins over a stale version (a retry with the old form)', async () => {
    const t1 = await submit({ ...completion, version: '1', idempotency_key: 'appr-8' });
    const t2 = await submit({ ...completion, version: '1', idempotency_key: 'appr-8' });
    expect(resultOf((await confirm(t1)).body)).toBe('saved');
    expect(resultOf((await confirm(t2)).body)).toBe('already_applied');
    expect(state.writes).toHaveLength(1);
  });

  it('version conflict: someone saved in between, nothing is written', async () => {
    const mine = await submit({ ...completion, version: '1', idempotency_key: 'mine' });
    const theirs = await submit({ ...completion, address: '杭州市西湖区古墩路 1 号', version: '1', idempotency_key: 'theirs' });
    expect(resultOf((await confirm(theirs)).body)).toBe('saved');
    const res = await confirm(mine);
    expect(resultOf(res.body)).toBe('conflict');
    expect(res.body).toMatch(/role="alert"[^>]*>工单已被他人修改 \/ Ticket was changed by someone else/);
    expect(field(res.body, 'current_version')).toBe('2');
    expect(state.writes.map((w) => w.idempotencyKey)).toEqual(['theirs']);
    // Submitting a form read at an old version is refused before the confirm page too.
    const stale = await post(`/tickets/${ID}/edit`, { ...completion, version: '1' });
    expect(resultOf(stale.body)).toBe('conflict');
  });

  it('validation errors: the form again with alerts, values kept, nothing saved', async () => {
    const res = await post(`/tickets/${ID}/edit`, {
      broadband_account: 'HZ-123',
      address: completion.address,
      access_port: 'OLT-HZ-01 0-1-3',
      onu_sn: 'hwtc1a2b3c4d',
      version: '1',
    });
    expect(resultOf(res.body)).toBe('validation_error');
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain('宽带账号格式错误');
    expect(res.body).toContain('接入端口格式错误');
    expect(res.body).toContain('ONU SN 格式错误');
    expect(res.body).toMatch(/id="f-access_port" name="access_port" value="OLT-HZ-01 0-1-3"[^>]*aria-invalid="true"/);
    expect(res.body).not.toContain('confirm_token');
    expect(state.writes).toHaveLength(0);
    expect(state.tickets.find((t) => t.id === ID)?.version).toBe(1);
  });

  it('a confirm token works once, only for the session that made it', async () => {
    const token = await submit({ ...completion, version: '1' });
    const other = await login(app, '/tickets');
    expect(resultOf((await confirm(token, other)).body)).toBe('token_invalid');
    expect(resultOf((await confirm(token)).body)).toBe('saved');
    expect(resultOf((await confirm(token)).body)).toBe('token_invalid');
    expect(resultOf((await confirm('forged')).body)).toBe('token_invalid');
    expect(state.writes).toHaveLength(1);
    expect(state.writes[0]?.idempotencyKey).toBeNull();
  });

  it('"Back" reopens the form with the values typed so far', async () => {
    const token = await submit({ ...completion, version: '1', idempotency_key: 'k-1' });
    const back = (await get(`/tickets/${ID}/edit?token=${token}`)).body;
    expect(back).toMatch(/name="access_port" value="OLT-HZ-01 0\/1\/3"/);
    expect(back).toMatch(/name="idempotency_key" value="k-1"/);
    expect(hiddenValue(back, 'version')).toBe('1');
  });

  it('escapes what people type', async () => {
    const res = await post(`/tickets/${ID}/edit`, { ...completion, address: '<script>alert(1)</script>"', version: '1' });
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
  });

  it('refuses to edit a closed ticket', async () => {
    const closed = state.tickets.find((t) => t.status === 'closed');
    expect(closed).toBeDefined();
    const id = closed?.id as string;
    expect(resultOf((await get(`/tickets/${id}/edit`)).body)).toBe('closed');
    const f = form({ ...completion, version: String(closed?.version) });
    const res = await app.inject({ method: 'POST', url: `/tickets/${id}/edit`, payload: f.payload, headers: { ...f.headers, cookie } });
    expect(resultOf(res.body)).toBe('closed');
    expect(state.writes).toHaveLength(0);
  });
});
