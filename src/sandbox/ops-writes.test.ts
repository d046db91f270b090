/**
 * Work orders, dispatch, ticket notes (ticket system) and alarm acknowledgement (NMS), through
 * fastify inject: the pages a robot reads and the form → confirm → save flows it drives.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWorkOrderSeed, demoWorkOrders, TEAMS, WORK_ORDER_COUNT } from './seed-workorders.js';
import { buildSeed, DEFAULT_SEED } from './seed.js';
import { buildSandboxApp } from './server.js';
import type { FaultController } from './faults.js';
import type { SandboxState } from './state.js';
import { decodeHtml, form, hiddenValue, login, resultOf, rowIds } from '../../tests/helpers/sandbox-testkit.js';

/** 2026-11-24 20:00 in UTC+8: the seed's clock. */
const NOW = new Date('2026-11-24T12:00:00Z');
const T12 = 'T20261124-0012';

let app: FastifyInstance;
let state: SandboxState;
let faults: FaultController;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  ({ app, state, faults } = await buildSandboxApp({ now: () => NOW }));
  cookies['/tickets'] = await login(app, '/tickets');
  cookies['/nms'] = await login(app, '/nms');
});
afterAll(() => app.close());

const prefixOf = (url: string) => `/${url.split('/')[1]?.split('?')[0]}`;
const get = async (url: string) => (await app.inject({ url, headers: { cookie: cookies[prefixOf(url)] ?? '' } })).body;
const post = async (url: string, fields: Record<string, string>) => {
  const f = form(fields);
  return (await app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, cookie: cookies[prefixOf(url)] ?? '' } })).body;
};
/** Value of a data-field cell in either layout (layout b adds a class before data-field). */
const cell = (html: string, name: string) => {
  const m = new RegExp(`<td[^>]*data-field="${name}">([\\s\\S]*?)</td>`).exec(html);
  return m ? decodeHtml(m[1] as string) : undefined;
};
const alertText = (html: string) => decodeHtml(/role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '');

const validDispatch = (over: Record<string, string> = {}) => ({
  type: 'repair',
  team: '杭州装维一组 HZ Field Team 1',
  engineer: '李明',
  priority: 'P2',
  appointment_start: '2026-11-25 09:00',
  appointment_end: '2026-11-25 12:00',
  note: '复查光功率 / Recheck optical power',
  idempotency_key: '',
  ...over,
});
const dispatch = async (ticketId: string, fields: Record<string, string>) => {
  const confirmPage = await post(`/tickets/${ticketId}/dispatch`, fields);
  const token = hiddenValue(confirmPage, 'confirm_token');
  return { confirmPage, saved: token ? await post(`/tickets/${ticketId}/dispatch/confirm`, { confirm_token: token }) : undefined };
};

describe('work order seed', () => {
  it('has 30 deterministic work orders linked to seeded tickets, with the demo ones fixed', () => {
    const seed = buildSeed(DEFAULT_SEED);
    const a = buildWorkOrderSeed(DEFAULT_SEED, seed.tickets);
    expect(buildWorkOrderSeed(DEFAULT_SEED, seed.tickets)).toEqual(a);
    expect(a.workOrders).toHaveLength(WORK_ORDER_COUNT);
    expect(new Set(a.workOrders.map((w) => w.id)).size).toBe(WORK_ORDER_COUNT);
    const ticketIds = new Set(seed.tickets.map((t) => t.id));
    for (const w of a.workOrders) {
      expect(w.id).toMatch(/^W\d{8}-\d{4}$/);
      expect(ticketIds.has(w.ticketId), w.id).toBe(true);
      const team = TEAMS.find((t) => t.name === w.team);
      expect(team?.region, w.id).toBe(w.region);
      if (w.engineer) expect(team?.engineers).toContain(w.engineer);
    }
    expect(a.workOrders.find((w) => w.id === demoWorkOrders.forTicketMissing.id)).toMatchObject({ ticketId: T12, engineer: '王建国', status: 'dispatched' });
    // Another seed: other random work orders, same demo ones.
    const other = buildSeed(7);
    const b = buildWorkOrderSeed(7, other.tickets);
    expect(b.workOrders.find((w) => w.id === 'W20261124-0001')).toEqual(a.workOrders.find((w) => w.id === 'W20261124-0001'));
    expect(b.workOrders.map((w) => w.ticketId)).not.toEqual(a.workOrders.map((w) => w.ticketId));
  });
});

describe('work order pages', () => {
  it('lists 20 a page, newest first, filters by ticket, and says when there are none', async () => {
    const p1 = await get('/tickets/workorders');
    const p2 = await get('/tickets/workorders?page=2');
    const ids = [...rowIds(p1, 'work-orders'), ...rowIds(p2, 'work-orders')];
    expect(rowIds(p1, 'work-orders')).toHaveLength(20);
    expect(ids).toHaveLength(state.workOrders.length);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(p1).toContain('下一页 Next');
    expect(rowIds(await get(`/tickets/workorders?ticket=${T12}`), 'work-orders')).toContain('W20261124-0001');
    const none = await get('/tickets/workorders?ticket=T20261120-0099');
    expect(rowIds(none, 'work-orders')).toEqual([]);
    expect(resultOf(none)).toBe('no_work_orders');
  });

  it('shows a work order by its labels, says not_found for an unknown one, and keeps values in layout b', async () => {
    const html = await get('/tickets/workorders/W20261124-0001');
    expect(cell(html, 'ticket_id')).toBe(T12);
    expect(cell(html, 'team')).toBe('杭州装维一组 HZ Field Team 1');
    expect(cell(html, 'appointment_start')).toBe('2026-11-25 09:00');
    expect(html).toContain('<th scope="row">预约结束 Appointment end</th>');
    expect(resultOf(await get('/tickets/workorders/W20991231-0001'))).toBe('not_found');
    faults.set({ system: 'tickets', layout: 'b' });
    try {
      const b = await get('/tickets/workorders/W20261124-0001');
      expect(cell(b, 'engineer')).toBe('王建国');
      expect(b).toContain('id="v2_work_order_detail"');
      expect(b.indexOf('Idempotency key')).toBeLessThan(b.indexOf('Work order ID'));
    } finally {
      faults.reset('tickets');
    }
  });

  it('lists the team directory', async () => {
    const html = await get('/tickets/teams');
    expect(rowIds(html, 'teams')).toEqual(TEAMS.map((t) => t.name));
    expect(html).toContain('王建国、李明、陈磊');
  });
});

describe('dispatch from a ticket', () => {
  beforeEach(() => {
    state.workOrders = state.workOrders.filter((w) => !w.idempotencyKey);
  });

  it('form → confirm → saved: a new work order of today with the ticket address, shown in the list', async () => {
    const formHtml = await get(`/tickets/${T12}/dispatch`);
    for (const label of ['类型 Type', '班组 Team', '工程师 Engineer', '优先级 Priority', '预约开始 Appointment start', '预约结束 Appointment end', '备注 Note', '幂等键 Idempotency key']) {
      expect(formHtml).toContain(`>${label}</label>`);
    }
    const before = state.workOrders.length;
    const lastSeq = Math.max(...state.workOrders.filter((w) => w.id.startsWith('W20261124-')).map((w) => Number(w.id.slice(10))));
    const { confirmPage, saved } = await dispatch(T12, validDispatch({ idempotency_key: 'appr-d1' }));
    expect(confirmPage).toContain('确认派单 Confirm dispatch');
    expect(resultOf(saved as string)).toBe('saved');
    const id = cell(saved as string, 'work_order_id') as string;
    expect(id).toBe(`W20261124-${String(lastSeq + 1).padStart(4, '0')}`);
    expect(state.workOrders).toHaveLength(before + 1);
    const wo = state.workOrders.find((w) => w.id === id);
    expect(wo).toMatchObject({ ticketId: T12, team: '杭州装维一组 HZ Field Team 1', engineer: '李明', status: 'dispatched', region: 'hangzhou', idempotencyKey: 'appr-d1' });
    expect(rowIds(await get(`/tickets/workorders?ticket=${T12}`), 'work-orders')).toContain(id);
  });

  it('the same idempotency key again answers already_applied with the existing work order, no second one', async () => {
    const first = await dispatch(T12, validDispatch({ idempotency_key: 'appr-d2' }));
    const count = state.workOrders.length;
    const again = await dispatch(T12, validDispatch({ idempotency_key: 'appr-d2', engineer: '陈磊' }));
    expect(resultOf(again.saved as string)).toBe('already_applied');
    expect(cell(again.saved as string, 'work_order_id')).toBe(cell(first.saved as string, 'work_order_id'));
    expect(state.workOrders).toHaveLength(count);
  });

  it('refuses bad values with the reason, and accepts a window of exactly 8 hours', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ team: '不存在的班组' }, /Unknown team: 不存在的班组/],
      [{ engineer: '张三丰' }, /Unknown engineer: 张三丰/],
      [{ engineer: '孙华' }, /Engineer 孙华 is not in team 杭州装维一组 HZ Field Team 1/],
      [{ team: '', engineer: '' }, /Give a team or an engineer/],
      [{ appointment_end: '2026-11-25 09:00' }, /Appointment end must be after its start/],
      [{ appointment_end: '2026-11-25 08:00' }, /Appointment end must be after its start/],
      [{ appointment_start: '2026-11-24 19:59', appointment_end: '2026-11-24 22:00' }, /Appointment start is in the past/],
      [{ appointment_end: '2026-11-25 17:01' }, /Appointment window longer than 8 hours/],
      [{ appointment_start: '2026-11-25 9:00' }, /Invalid appointment start/],
      [{ priority: 'P9' }, /Invalid priority/],
    ];
    const count = state.workOrders.length;
    for (const [over, message] of cases) {
      const html = await post(`/tickets/${T12}/dispatch`, validDispatch(over));
      expect(resultOf(html), JSON.stringify(over)).toBe('validation_error');
      expect(alertText(html)).toMatch(message);
    }
    expect(state.workOrders).toHaveLength(count);
    const eight = await dispatch(T12, validDispatch({ appointment_end: '2026-11-25 17:00', idempotency_key: 'appr-8h' }));
    expect(resultOf(eight.saved as string)).toBe('saved');
    // An engineer alone: the team is the engineer's own, a team given by its English name is found.
    const alone = await dispatch(T12, validDispatch({ team: '', engineer: '赵勇', idempotency_key: 'appr-eng' }));
    expect(state.workOrders.find((w) => w.id === cell(alone.saved as string, 'work_order_id'))?.team).toBe('杭州装维二组 HZ Field Team 2');
    const en = await dispatch(T12, validDispatch({ team: 'hz field team 1', engineer: '', idempotency_key: 'appr-en' }));
    expect(state.workOrders.find((w) => w.id === cell(en.saved as string, 'work_order_id'))).toMatchObject({ team: '杭州装维一组 HZ Field Team 1', engineer: '' });
  });

  it('answers closed for a closed ticket, and not_found for an unknown one', async () => {
    const closed = state.tickets.find((t) => t.status === 'closed')!;
    expect(resultOf(await get(`/tickets/${closed.id}/dispatch`))).toBe('closed');
    expect(resultOf(await post(`/tickets/${closed.id}/dispatch`, validDispatch()))).toBe('closed');
    expect(resultOf(await get('/tickets/T20991231-0001/dispatch'))).toBe('not_found');
  });

  it('refuses a confirm token twice', async () => {
    const confirmPage = await post(`/tickets/${T12}/dispatch`, validDispatch({ idempotency_key: 'appr-tk' }));
    const token = hiddenValue(confirmPage, 'confirm_token') as string;
    expect(resultOf(await post(`/tickets/${T12}/dispatch/confirm`, { confirm_token: token }))).toBe('saved');
    expect(resultOf(await post(`/tickets/${T12}/dispatch/confirm`, { confirm_token: token }))).toBe('token_invalid');
  });
});

describe('ticket notes', () => {
  const addNote = async (ticketId: string, note: string, key: string, version?: string) => {
    const formHtml = await get(`/tickets/${ticketId}/notes/new`);
    const confirmPage = await post(`/tickets/${ticketId}/notes/new`, { note, idempotency_key: key, version: version ?? hiddenValue(formHtml, 'version') ?? '' });
    const token = hiddenValue(confirmPage, 'confirm_token');
    return token ? post(`/tickets/${ticketId}/notes/new/confirm`, { confirm_token: token }) : confirmPage;
  };

  it('the ticket page shows its notes table and keeps the Notes field', async () => {
    const html = await get('/tickets/T20261124-0013');
    expect(rowIds(html, 'notes')).toEqual(['N000001']);
    expect(cell(html, 'notes')).toBe('客户反映晚高峰网速明显变慢。');
    const empty = await get(`/tickets/${T12}`);
    expect(rowIds(empty, 'notes')).toEqual([]);
    expect(empty).toContain('无备注记录 / No notes yet');
  });

  it('adds a note (version +1) once per idempotency key', async () => {
    const t = state.tickets.find((x) => x.id === 'T20261124-0013')!;
    const v = t.version;
    const saved = await addNote(t.id, '已上门更换光猫 / ONT replaced on site', 'appr-n1');
    expect(resultOf(saved)).toBe('saved');
    const noteId = cell(saved, 'note_id');
    expect(noteId).toBe('N000002');
    expect(cell(saved, 'version')).toBe(String(v + 1));
    const html = await get(`/tickets/${t.id}`);
    expect(rowIds(html, 'notes')).toEqual(['N000001', 'N000002']);
    expect(html).toContain('已上门更换光猫 / ONT replaced on site');
    const again = await addNote(t.id, '已上门更换光猫 / ONT replaced on site', 'appr-n1');
    expect(resultOf(again)).toBe('already_applied');
    expect(cell(again, 'note_id')).toBe(noteId);
    expect(t.version).toBe(v + 1);
    expect(state.ticketNotes.filter((n) => n.idempotencyKey === 'appr-n1')).toHaveLength(1);
  });

  it('refuses an empty note, a stale version, and a closed ticket', async () => {
    expect(resultOf(await post(`/tickets/${T12}/notes/new`, { note: '  ', version: '1' }))).toBe('validation_error');
    const t = state.tickets.find((x) => x.id === T12)!;
    expect(resultOf(await addNote(T12, 'x', 'appr-old', String(t.version - 1 + 100)))).toBe('conflict');
    const closed = state.tickets.find((x) => x.status === 'closed')!;
    expect(resultOf(await get(`/tickets/${closed.id}/notes/new`))).toBe('closed');
  });
});

describe('NMS alarm detail and acknowledgement', () => {
  const ack = async (id: string, key: string, note = '') => {
    const confirmPage = await post(`/nms/alarms/${id}/ack`, { ack_note: note, idempotency_key: key });
    const token = hiddenValue(confirmPage, 'confirm_token');
    return token ? post(`/nms/alarms/${id}/ack/confirm`, { confirm_token: token }) : confirmPage;
  };

  it('shows an alarm by id, not_found for an unknown one, and links it from the list', async () => {
    const html = await get('/nms/alarms/ALM900001');
    expect(cell(html, 'type')).toBe('Low Rx power');
    expect(cell(html, 'acknowledged')).toBe('否');
    expect(cell(html, 'acknowledged_by')).toBe('');
    expect(html).toContain('确认告警 Acknowledge');
    expect(resultOf(await get('/nms/alarms/ALM000000'))).toBe('not_found');
    expect(await get('/nms/alarms?ne=OLT-HZ-01')).toContain('href="/nms/alarms/ALM900001"');
  });

  it('acknowledges once: saved with who and when, the same key again is already_applied, another key is conflict', async () => {
    const saved = await ack('ALM900002', 'appr-a1', '已通知装维 / Field team informed');
    expect(resultOf(saved)).toBe('saved');
    expect(cell(saved, 'acknowledged_by')).toBe('rpa_bot');
    expect(cell(saved, 'acknowledged_at')).toBe('2026-11-24 20:00:00');
    const a = state.alarms.find((x) => x.id === 'ALM900002')!;
    expect(a).toMatchObject({ acknowledged: true, ackNote: '已通知装维 / Field team informed', ackIdempotencyKey: 'appr-a1' });
    expect(resultOf(await ack('ALM900002', 'appr-a1'))).toBe('already_applied');
    expect(resultOf(await ack('ALM900002', 'appr-other'))).toBe('conflict');
    expect(a.ackNote).toBe('已通知装维 / Field team informed');
    // Acknowledged in the seed (no key): conflict.
    expect(resultOf(await ack('ALM900003', 'appr-a3'))).toBe('conflict');
  });

  it('keeps the alarm detail readable in layout b', async () => {
    faults.set({ system: 'nms', layout: 'b' });
    try {
      const html = await get('/nms/alarms/ALM900005');
      expect(cell(html, 'severity')).toBe('critical');
      expect(html).toContain('id="v2_alarm_detail"');
      expect(html.indexOf('Idempotency key')).toBeLessThan(html.indexOf('Alarm ID'));
    } finally {
      faults.reset('nms');
    }
  });
});
