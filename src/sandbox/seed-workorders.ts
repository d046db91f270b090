/**
 * Seeded work orders (派工单), the field-team directory and ticket notes of the ticket system.
 * Deterministic for a given seed (own PRNG stream); the demo entities below are the same for
 * every seed, so tests, demos and RPA tools may rely on them:
 *
 *  Work order W20261124-0001: for ticket T20261124-0012, repair, dispatched, team
 *    "杭州装维一组 HZ Field Team 1", engineer 王建国, P2, appointment 2026-11-25 09:00 – 12:00,
 *    hangzhou, version 1, no idempotency key.
 *  Work order W20261124-0002: for ticket T20261124-0013, inspection, pending, team
 *    "杭州装维二组 HZ Field Team 2", no engineer, P3, 2026-11-25 14:00 – 17:00.
 *  Ticket T20261124-0013 has one note, N000001 (author cs_li); T20261124-0012 has none.
 *  Teams (name = "中文 English", engineers by name, unique across teams):
 *    hangzhou  杭州装维一组 HZ Field Team 1: 王建国, 李明, 陈磊
 *              杭州装维二组 HZ Field Team 2: 张强, 刘洋, 赵勇
 *              杭州装维三组 HZ Field Team 3: 周杰, 吴涛, 郑超
 *    ningbo    宁波装维一组 NB Field Team 1: 孙华, 马刚, 朱平
 *              宁波装维二组 NB Field Team 2: 胡军, 郭辉, 何文
 *    wenzhou   温州装维一组 WZ Field Team 1: 林峰, 罗斌, 梁宇
 *
 * 30 work orders in all (W20261120-… to W20261124-…), each linked to a seeded ticket, with the
 * ticket's region, a team of that region and a status that follows the ticket's.
 */
import { createRng } from './random.js';
import { formatLocal, parseLocal } from './time.js';
import type { FieldTeam, Priority, Region, Ticket, TicketNote, WorkOrder, WorkOrderStatus, WorkOrderType } from './state.js';

export const WORK_ORDER_COUNT = 30;

export const TEAMS: readonly FieldTeam[] = [
  { name: '杭州装维一组 HZ Field Team 1', region: 'hangzhou', engineers: ['王建国', '李明', '陈磊'] },
  { name: '杭州装维二组 HZ Field Team 2', region: 'hangzhou', engineers: ['张强', '刘洋', '赵勇'] },
  { name: '杭州装维三组 HZ Field Team 3', region: 'hangzhou', engineers: ['周杰', '吴涛', '郑超'] },
  { name: '宁波装维一组 NB Field Team 1', region: 'ningbo', engineers: ['孙华', '马刚', '朱平'] },
  { name: '宁波装维二组 NB Field Team 2', region: 'ningbo', engineers: ['胡军', '郭辉', '何文'] },
  { name: '温州装维一组 WZ Field Team 1', region: 'wenzhou', engineers: ['林峰', '罗斌', '梁宇'] },
];

export const demoWorkOrders = {
  forTicketMissing: {
    id: 'W20261124-0001',
    ticketId: 'T20261124-0012',
    team: '杭州装维一组 HZ Field Team 1',
    engineer: '王建国',
    priority: 'P2',
    appointmentStart: '2026-11-25 09:00',
    appointmentEnd: '2026-11-25 12:00',
  },
  forTicketComplete: { id: 'W20261124-0002', ticketId: 'T20261124-0013', team: '杭州装维二组 HZ Field Team 2', engineer: '' },
  note: { id: 'N000001', ticketId: 'T20261124-0013' },
} as const;

const NOTES = [
  '已联系客户确认上门时间 / Customer called to confirm the visit',
  '需更换光猫 / The ONT needs replacing',
  '入户光纤弯折，已整改 / Drop fiber was bent, fixed',
  '客户不在家，改约 / Customer not at home, rescheduled',
  '',
];
const TYPES: WorkOrderType[] = ['repair', 'repair', 'repair', 'install', 'inspection'];

/** "YYYY-MM-DD HH:mm" of an epoch, local (UTC+8). */
export const formatMinute = (ms: number): string => formatLocal(ms).slice(0, 16);
export const parseMinute = (text: string): number => parseLocal(`${text}:00`);

const statusFor = (t: Ticket, pick: (xs: WorkOrderStatus[]) => WorkOrderStatus): WorkOrderStatus =>
  t.status === 'closed' || t.status === 'resolved' ? pick(['done', 'done', 'cancelled']) : t.status === 'in_progress' ? pick(['dispatched', 'in_progress']) : pick(['pending', 'dispatched']);

export function buildWorkOrderSeed(seed: number, tickets: readonly Ticket[]): { workOrders: WorkOrder[]; teams: FieldTeam[]; ticketNotes: TicketNote[] } {
  const rng = createRng(seed ^ 0x5eed_0c0d);
  const teams = TEAMS.map((t) => ({ ...t, engineers: [...t.engineers] }));
  const demoIds = new Set<string>([demoWorkOrders.forTicketMissing.ticketId, demoWorkOrders.forTicketComplete.ticketId]);
  const candidates = rng.shuffle(tickets.filter((t) => !demoIds.has(t.id))).slice(0, WORK_ORDER_COUNT - 2);
  const drafts: Array<Omit<WorkOrder, 'id'> & { day: string }> = candidates.map((t) => {
    const team = rng.pick(teams.filter((x) => x.region === t.region));
    const startMs = Math.ceil((parseLocal(t.createdAt) + rng.int(2, 20) * 3600_000) / 3600_000) * 3600_000;
    const status = statusFor(t, (xs) => rng.pick(xs));
    return {
      day: t.id.slice(1, 9),
      ticketId: t.id,
      type: rng.pick(TYPES),
      status,
      team: team.name,
      engineer: status === 'pending' ? '' : rng.pick(team.engineers),
      priority: t.priority as Priority,
      appointmentStart: formatMinute(startMs),
      appointmentEnd: formatMinute(startMs + rng.int(2, 4) * 3600_000),
      address: t.address,
      region: t.region as Region,
      note: rng.pick(NOTES),
      createdAt: formatLocal(parseLocal(t.createdAt) + rng.int(10, 90) * 60_000),
      version: status === 'pending' ? 1 : rng.int(2, 3),
      idempotencyKey: '',
    };
  });
  const workOrders: WorkOrder[] = [
    {
      id: demoWorkOrders.forTicketMissing.id,
      ticketId: demoWorkOrders.forTicketMissing.ticketId,
      type: 'repair',
      status: 'dispatched',
      team: demoWorkOrders.forTicketMissing.team,
      engineer: demoWorkOrders.forTicketMissing.engineer,
      priority: 'P2',
      appointmentStart: demoWorkOrders.forTicketMissing.appointmentStart,
      appointmentEnd: demoWorkOrders.forTicketMissing.appointmentEnd,
      address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501',
      region: 'hangzhou',
      note: '上门检查光猫及入户光纤 / Check the ONT and the drop fiber on site',
      createdAt: '2026-11-24 10:41:02',
      version: 1,
      idempotencyKey: '',
    },
    {
      id: demoWorkOrders.forTicketComplete.id,
      ticketId: demoWorkOrders.forTicketComplete.ticketId,
      type: 'inspection',
      status: 'pending',
      team: demoWorkOrders.forTicketComplete.team,
      engineer: '',
      priority: 'P3',
      appointmentStart: '2026-11-25 14:00',
      appointmentEnd: '2026-11-25 17:00',
      address: tickets.find((t) => t.id === demoWorkOrders.forTicketComplete.ticketId)?.address ?? '',
      region: 'hangzhou',
      note: '',
      createdAt: '2026-11-24 11:05:40',
      version: 1,
      idempotencyKey: '',
    },
  ];
  // Sequence numbers per day, after the demo ones (which take 20261124-0001 and -0002).
  drafts.sort((a, b) => a.ticketId.localeCompare(b.ticketId));
  const seq = new Map<string, number>([['20261124', 2]]);
  for (const { day, ...d } of drafts) {
    const n = (seq.get(day) ?? 0) + 1;
    seq.set(day, n);
    workOrders.push({ id: `W${day}-${String(n).padStart(4, '0')}`, ...d });
  }
  workOrders.sort((a, b) => a.id.localeCompare(b.id));
  const ticketNotes: TicketNote[] = [
    {
      id: demoWorkOrders.note.id,
      ticketId: demoWorkOrders.note.ticketId,
      at: '2026-11-24 11:02:13',
      author: 'cs_li',
      text: '已电话联系客户，约明日上门 / Called the customer, visit booked for tomorrow',
      idempotencyKey: '',
    },
  ];
  return { workOrders, teams, ticketNotes };
}
