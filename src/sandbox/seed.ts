/**
 * Seeded sandbox data: deterministic for a given seed (own PRNG, no Math.random).
 * The sandbox clock the data is built around: 2026-11-24 20:00:00 (UTC+8).
 *
 * Demo entities — identical for every seed; tests, demos and RPA tools may rely on them:
 *
 *  Customer C000123: 张伟 (shown "张*"), mobile 13857101234, resident id 330106198503121231,
 *    ACTIVE, real-name verified, Hangzhou, address "杭州市西湖区文三路 398 号 3 幢 2 单元 501",
 *    broadband account hz81000123 on OLT-HZ-01 0/1/3.
 *  Port OLT-HZ-01 0/1/3: admin up, oper up, ONU ID 5, ONU SN HWTC1A2B3C4D, Rx -26.40 dBm
 *    (marginal), Tx 2.31, last down "Dying gasp" at 2026-11-23 21:14:05, hangzhou, hz81000123.
 *    Alarms: ALM900001 major "Low Rx power" on "0/1/3 ONU 5" (active, not service affecting),
 *    ALM900002 minor "High BER" on "0/1/3" (active), ALM900003 "Dying gasp" and ALM900004 "LOS"
 *    (both cleared).
 *  Port OLT-HZ-01 0/1/4: normal power, Rx -19.85, customer C000124 (hz81000124), no alarms.
 *  Port OLT-HZ-02 0/2/7: oper down, Rx "—" (no reading), customer C000125; alarm ALM900005
 *    critical "LOS" on "0/2/7 ONU 9" (active, service affecting).
 *  Port OLT-NB-01 0/1/1: ningbo, Rx -21.30, customer C000201 (nb81000201).
 *  OLT-HZ-03: 45 active alarms (3 pages of 20 in the NMS).
 *  Ticket T20261124-0012: open, C000123, service number 13857101234, "宽带无法上网 / No internet",
 *    P2, hangzhou, version 1; broadband account, address, access port and ONU SN all EMPTY.
 *  Ticket T20261124-0013: open, C000124, complete (nothing missing), version 2.
 *
 * Tickets: T20261120-0001 … T20261124-0040 (40 a day). Customers C000001 … C000300.
 * Broadband accounts: region prefix (hz | nb | wz) + 8 digits; for customer C000NNN it is
 * prefix + (81000000 + NNN), e.g. hz81000123.
 */
import { createRng, type Rng } from './random.js';
import { makeResidentId } from './ids.js';
import { formatLocal, parseLocal } from './time.js';
import type {
  Alarm,
  Customer,
  CustomerStatus,
  Port,
  Priority,
  Region,
  Severity,
  Ticket,
  TicketStatus,
} from './state.js';

export const DEFAULT_SEED = 20261124;
export const SANDBOX_NOW = '2026-11-24 20:00:00';
export const CUSTOMER_COUNT = 300;
export const TICKETS_PER_DAY = 40;
export const TICKET_DAYS = ['20261120', '20261121', '20261122', '20261123', '20261124'] as const;
/** Fault-ticket SLA per priority, in hours (operators differ; this is the sandbox's). */
export const SLA_HOURS: Record<Priority, number> = { P1: 4, P2: 24, P3: 48, P4: 72 };

export const OLTS: ReadonlyArray<{ name: string; region: Region; vendor: string }> = [
  { name: 'OLT-HZ-01', region: 'hangzhou', vendor: 'HWTC' },
  { name: 'OLT-HZ-02', region: 'hangzhou', vendor: 'HWTC' },
  { name: 'OLT-HZ-03', region: 'hangzhou', vendor: 'ZTEG' },
  { name: 'OLT-HZ-04', region: 'hangzhou', vendor: 'ZTEG' },
  { name: 'OLT-NB-01', region: 'ningbo', vendor: 'HWTC' },
  { name: 'OLT-NB-02', region: 'ningbo', vendor: 'FHTT' },
  { name: 'OLT-WZ-01', region: 'wenzhou', vendor: 'FHTT' },
];
export const FRAMES = [0] as const;
export const SLOTS = [1, 2, 3, 4] as const;
export const PORTS_PER_SLOT = 16;

/** Broadband account format accepted by the ticket system. */
export const BROADBAND_ACCOUNT_RE = /^(hz|nb|wz)\d{8}$/;
export const ACCOUNT_PREFIX: Record<Region, string> = { hangzhou: 'hz', ningbo: 'nb', wenzhou: 'wz' };
export const broadbandAccountFor = (customerNumber: number, region: Region): string =>
  `${ACCOUNT_PREFIX[region]}${81000000 + customerNumber}`;
export const customerIdFor = (n: number): string => `C${String(n).padStart(6, '0')}`;

export const demo = {
  customer: {
    id: 'C000123',
    name: '张伟',
    maskedName: '张*',
    mobile: '13857101234',
    residentId: '330106198503121231',
    status: 'ACTIVE',
    realNameVerified: true,
    plans: ['5G 畅享 129 元套餐', '宽带 300M'],
    address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501',
    broadbandAccount: 'hz81000123',
    region: 'hangzhou',
  },
  port: {
    olt: 'OLT-HZ-01',
    fsp: '0/1/3',
    frame: 0,
    slot: 1,
    port: 3,
    region: 'hangzhou',
    adminStatus: 'up',
    operStatus: 'up',
    onuId: 5,
    onuSn: 'HWTC1A2B3C4D',
    rxPower: '-26.40',
    txPower: '2.31',
    lastDownCause: 'Dying gasp',
    lastDownTime: '2026-11-23 21:14:05',
    broadbandAccount: 'hz81000123',
    customerId: 'C000123',
    activeAlarmIds: ['ALM900001', 'ALM900002'],
    clearedAlarmIds: ['ALM900003', 'ALM900004'],
  },
  normalPort: { olt: 'OLT-HZ-01', fsp: '0/1/4', rxPower: '-19.85', customerId: 'C000124', broadbandAccount: 'hz81000124' },
  noReadingPort: {
    olt: 'OLT-HZ-02',
    fsp: '0/2/7',
    rxPower: '—',
    operStatus: 'down',
    customerId: 'C000125',
    broadbandAccount: 'hz81000125',
    losAlarmId: 'ALM900005',
  },
  ningboPort: { olt: 'OLT-NB-01', fsp: '0/1/1', rxPower: '-21.30', customerId: 'C000201', broadbandAccount: 'nb81000201' },
  busyOlt: { name: 'OLT-HZ-03', activeAlarms: 45 },
  ticketMissing: {
    id: 'T20261124-0012',
    status: 'open',
    customerId: 'C000123',
    serviceNumber: '13857101234',
    faultType: '宽带无法上网 / No internet',
    priority: 'P2',
    region: 'hangzhou',
    version: 1,
    missing: ['broadbandAccount', 'address', 'accessPort', 'onuSn'],
    /** What a correct completion writes (from CRM + resource). */
    expectedCompletion: {
      broadbandAccount: 'hz81000123',
      address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501',
      accessPort: 'OLT-HZ-01 0/1/3',
      onuSn: 'HWTC1A2B3C4D',
    },
  },
  ticketComplete: { id: 'T20261124-0013', status: 'open', customerId: 'C000124', version: 2 },
} as const;

/** Demo customers whose region (and so account) must not depend on the seed. */
const FORCED_REGION: Record<string, Region> = {
  C000123: 'hangzhou',
  C000124: 'hangzhou',
  C000125: 'hangzhou',
  C000201: 'ningbo',
};

interface RegionInfo {
  city: string;
  areaCodes: string[];
  districts: Array<{ name: string; roads: string[] }>;
  teams: string[];
  weight: number;
}

const REGION_INFO: Record<Region, RegionInfo> = {
  hangzhou: {
    city: '杭州市',
    areaCodes: ['330102', '330105', '330106', '330108', '330110'],
    districts: [
      { name: '西湖区', roads: ['文三路', '文一西路', '古墩路', '天目山路', '教工路'] },
      { name: '拱墅区', roads: ['莫干山路', '湖墅南路', '大关路', '上塘路'] },
      { name: '滨江区', roads: ['江南大道', '滨盛路', '长河路', '江陵路'] },
      { name: '上城区', roads: ['解放路', '望江路', '秋涛路', '钱江路'] },
      { name: '余杭区', roads: ['五常大道', '良睦路', '临平大道'] },
    ],
    teams: ['杭州西湖装维一班', '杭州西湖装维二班', '杭州拱墅装维班', '杭州滨江装维班', '杭州上城装维班', '杭州余杭装维班'],
    weight: 60,
  },
  ningbo: {
    city: '宁波市',
    areaCodes: ['330203', '330212', '330211'],
    districts: [
      { name: '海曙区', roads: ['中山西路', '解放南路', '望春路'] },
      { name: '鄞州区', roads: ['天童南路', '四明中路', '钱湖北路'] },
      { name: '江北区', roads: ['人民路', '大庆南路'] },
    ],
    teams: ['宁波海曙装维班', '宁波鄞州装维班', '宁波江北装维班'],
    weight: 25,
  },
  wenzhou: {
    city: '温州市',
    areaCodes: ['330302', '330304'],
    districts: [
      { name: '鹿城区', roads: ['人民路', '车站大道', '府前街'] },
      { name: '瓯海区', roads: ['温瑞大道', '娄桥路'] },
    ],
    teams: ['温州鹿城装维班', '温州瓯海装维班'],
    weight: 15,
  },
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '建', '国', '文', '辉', '玲', '婷'];
const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '157', '158', '159', '178', '182', '183', '184', '187', '188', '198'];
const MOBILE_PLANS = ['5G 畅享 129 元套餐', '5G 智享 199 元套餐', '4G 畅聊 58 元套餐', '5G 全家享 169 元套餐', '5G 畅享 99 元套餐'];
const BROADBAND_PLANS = ['宽带 300M', '宽带 500M', '宽带 1000M 千兆', '宽带 200M'];
const DOWN_CAUSES = ['Dying gasp', 'LOS', 'LOF', 'ONU deregistered', 'Admin reset'];
const FAULT_TYPES = ['宽带无法上网 / No internet', '网速慢 / Slow speed', '频繁掉线 / Frequent drops', 'IPTV 无信号 / IPTV no signal', '光猫故障 / ONT fault'];
const TICKET_NOTES = [
  '客户来电反映家中宽带无法上网，已指导重启光猫，问题仍在。',
  '客户反映晚高峰网速明显变慢。',
  '客户称光猫 LOS 灯红色闪烁。',
  '客户反映每天多次掉线，需上门检查。',
  '客户要求尽快处理，已致歉。',
  '',
];

interface AlarmKind {
  type: string;
  severity: Severity;
  cause: string;
  serviceAffecting: boolean;
  on: 'port' | 'onu' | 'board';
}
const ALARM_KINDS: AlarmKind[] = [
  { type: 'LOS', severity: 'critical', cause: '光纤断裂或 ONU 掉电 / Fiber cut or ONU powered off', serviceAffecting: true, on: 'onu' },
  { type: 'LOF', severity: 'major', cause: '帧失步 / Loss of frame', serviceAffecting: true, on: 'onu' },
  { type: 'Dying gasp', severity: 'major', cause: 'ONU 掉电 / ONU power loss', serviceAffecting: true, on: 'onu' },
  { type: 'Low Rx power', severity: 'major', cause: '接收光功率过低 / Received optical power too low', serviceAffecting: false, on: 'onu' },
  { type: 'High BER', severity: 'minor', cause: '误码率过高 / Bit error rate too high', serviceAffecting: false, on: 'port' },
  { type: 'High temperature', severity: 'major', cause: '设备温度过高 / Equipment temperature too high', serviceAffecting: false, on: 'board' },
  { type: 'Board fault', severity: 'critical', cause: '单板故障 / Board failure', serviceAffecting: true, on: 'board' },
  { type: 'Fan failure', severity: 'minor', cause: '风扇故障 / Fan failure', serviceAffecting: false, on: 'board' },
  { type: 'Config mismatch', severity: 'warning', cause: '配置不一致 / Configuration mismatch', serviceAffecting: false, on: 'port' },
];
const kind = (type: string): AlarmKind => ALARM_KINDS.find((k) => k.type === type) as AlarmKind;

const NOW_MS = parseLocal(SANDBOX_NOW);
const DAY_MS = 86_400_000;
const fsp = (slot: number, port: number) => `0/${slot}/${port}`;
const portKey = (olt: string, slot: number, port: number) => `${olt} ${fsp(slot, port)}`;
/** Ports whose content is fixed (no random customer, no random alarm). */
const DEMO_PORT_KEYS = new Set(['OLT-HZ-01 0/1/3', 'OLT-HZ-01 0/1/4', 'OLT-HZ-02 0/2/7', 'OLT-NB-01 0/1/1']);
const DEMO_PORT_CUSTOMER: Record<string, string> = {
  'OLT-HZ-01 0/1/3': 'C000123',
  'OLT-HZ-01 0/1/4': 'C000124',
  'OLT-HZ-02 0/2/7': 'C000125',
  'OLT-NB-01 0/1/1': 'C000201',
};

export interface SeedData {
  customers: Customer[];
  ports: Port[];
  alarms: Alarm[];
  tickets: Ticket[];
}

export function buildSeed(seed: number = DEFAULT_SEED): SeedData {
  const rng = createRng(seed);
  const customers = buildCustomers(rng);
  const ports = buildPorts(rng, customers);
  const alarms = buildAlarms(rng, ports);
  const tickets = buildTickets(rng, customers, ports);
  return { customers, ports, alarms, tickets };
}

function buildCustomers(rng: Rng): Customer[] {
  const usedMobiles = new Set<string>([demo.customer.mobile]);
  const weights = { hangzhou: REGION_INFO.hangzhou.weight, ningbo: REGION_INFO.ningbo.weight, wenzhou: REGION_INFO.wenzhou.weight };
  const out: Customer[] = [];
  for (let n = 1; n <= CUSTOMER_COUNT; n++) {
    const id = customerIdFor(n);
    // Every random draw happens for every customer, so one demo override cannot shift the others.
    const region = FORCED_REGION[id] ?? rng.weighted(weights);
    const info = REGION_INFO[region];
    const name = rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '');
    let mobile: string;
    do mobile = rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
    while (usedMobiles.has(mobile));
    usedMobiles.add(mobile);
    const birthMs = Date.UTC(1955, 0, 1) + rng.int(0, 48 * 365) * DAY_MS;
    const birth = new Date(birthMs).toISOString().slice(0, 10).replaceAll('-', '');
    const residentId = makeResidentId(rng.pick(info.areaCodes), birth, String(rng.int(1, 999)).padStart(3, '0'));
    const status = rng.weighted<CustomerStatus>({ ACTIVE: 80, ARREARS: 8, SUSPENDED: 7, CLOSED: 5 });
    const realNameVerified = rng.chance(0.92);
    const hasBroadband = rng.chance(0.85) || id in FORCED_REGION;
    const district = rng.pick(info.districts);
    const address = `${info.city}${district.name}${rng.pick(district.roads)} ${rng.int(1, 999)} 号 ${rng.int(1, 20)} 幢 ${rng.int(1, 4)} 单元 ${rng.int(1, 30)}0${rng.int(1, 4)}`;
    const plans = [rng.pick(MOBILE_PLANS)];
    const bbPlan = rng.pick(BROADBAND_PLANS);
    if (hasBroadband) plans.push(bbPlan);
    out.push({
      id,
      name,
      mobile,
      residentId,
      status,
      realNameVerified,
      plans,
      address,
      broadbandAccount: hasBroadband ? broadbandAccountFor(n, region) : '',
      region,
    });
  }
  const i = out.findIndex((c) => c.id === demo.customer.id);
  out[i] = { ...demo.customer, plans: [...demo.customer.plans] };
  for (const id of ['C000124', 'C000125', 'C000201']) {
    const c = out.find((x) => x.id === id) as Customer;
    c.status = 'ACTIVE';
    c.realNameVerified = true;
  }
  return out;
}

function randomSn(rng: Rng, vendor: string, used: Set<string>): string {
  let sn: string;
  do sn = vendor + rng.int(0, 0xffffffff).toString(16).toUpperCase().padStart(8, '0');
  while (used.has(sn));
  used.add(sn);
  return sn;
}

function emptyPort(olt: (typeof OLTS)[number], slot: number, port: number): Port {
  return {
    olt: olt.name,
    frame: 0,
    slot,
    port,
    region: olt.region,
    adminStatus: 'up',
    operStatus: 'down',
    onuId: null,
    onuSn: '',
    rxPower: null,
    txPower: null,
    lastDownCause: '',
    lastDownTime: '',
    broadbandAccount: '',
    customerId: '',
  };
}

function buildPorts(rng: Rng, customers: Customer[]): Port[] {
  const ports: Port[] = [];
  for (const olt of OLTS) for (const slot of SLOTS) for (let p = 0; p < PORTS_PER_SLOT; p++) ports.push(emptyPort(olt, slot, p));
  const byKey = new Map(ports.map((p) => [portKey(p.olt, p.slot, p.port), p]));
  const usedSn = new Set(['HWTC1A2B3C4D', 'HWTC5E6F7A8B', 'HWTC0F1E2D3C', 'HWTC7B8C9D0E']);

  const free: Record<Region, Port[]> = {
    hangzhou: rng.shuffle(ports.filter((p) => p.region === 'hangzhou' && !DEMO_PORT_KEYS.has(portKey(p.olt, p.slot, p.port)))),
    ningbo: rng.shuffle(ports.filter((p) => p.region === 'ningbo' && !DEMO_PORT_KEYS.has(portKey(p.olt, p.slot, p.port)))),
    wenzhou: rng.shuffle(ports.filter((p) => p.region === 'wenzhou' && !DEMO_PORT_KEYS.has(portKey(p.olt, p.slot, p.port)))),
  };
  const demoCustomers = new Set(Object.values(DEMO_PORT_CUSTOMER));
  for (const c of customers) {
    if (!c.broadbandAccount || demoCustomers.has(c.id)) continue;
    const p = free[c.region].pop();
    if (!p) continue; // region full: the customer keeps an account with no port on record
    const vendor = (OLTS.find((o) => o.name === p.olt) as (typeof OLTS)[number]).vendor;
    p.customerId = c.id;
    p.broadbandAccount = c.broadbandAccount;
    p.onuId = rng.int(1, 64);
    p.onuSn = randomSn(rng, vendor, usedSn);
    p.txPower = rng.float(1.5, 3.5, 2);
    if (rng.chance(0.6)) {
      p.lastDownCause = rng.pick(DOWN_CAUSES);
      p.lastDownTime = formatLocal(NOW_MS - rng.int(3600, 30 * 86400) * 1000);
    }
    const condition = rng.weighted({ normal: 75, marginal: 12, weak: 8, down: 5 });
    if (c.status === 'CLOSED' || c.status === 'SUSPENDED') {
      p.adminStatus = 'down';
      p.operStatus = 'down';
      p.rxPower = null;
      p.txPower = null;
      p.lastDownCause = 'Admin down';
    } else if (condition === 'down') {
      p.operStatus = 'down';
      p.rxPower = null;
      p.txPower = null;
      p.lastDownCause = 'LOS';
      p.lastDownTime = formatLocal(NOW_MS - rng.int(600, 2 * 86400) * 1000);
    } else {
      p.operStatus = 'up';
      p.rxPower =
        condition === 'normal' ? rng.float(-24.9, -15, 2) : condition === 'marginal' ? rng.float(-26.99, -25.01, 2) : rng.float(-29.5, -27.01, 2);
    }
  }

  const set = (key: string, values: Partial<Port>) => Object.assign(byKey.get(key) as Port, values);
  const account = (id: string) => (customers.find((c) => c.id === id) as Customer).broadbandAccount;
  set('OLT-HZ-01 0/1/3', {
    adminStatus: 'up', operStatus: 'up', onuId: 5, onuSn: 'HWTC1A2B3C4D', rxPower: -26.4, txPower: 2.31,
    lastDownCause: 'Dying gasp', lastDownTime: '2026-11-23 21:14:05', customerId: 'C000123', broadbandAccount: account('C000123'),
  });
  set('OLT-HZ-01 0/1/4', {
    adminStatus: 'up', operStatus: 'up', onuId: 2, onuSn: 'HWTC5E6F7A8B', rxPower: -19.85, txPower: 2.45,
    lastDownCause: '', lastDownTime: '', customerId: 'C000124', broadbandAccount: account('C000124'),
  });
  set('OLT-HZ-02 0/2/7', {
    adminStatus: 'up', operStatus: 'down', onuId: 9, onuSn: 'HWTC0F1E2D3C', rxPower: null, txPower: null,
    lastDownCause: 'LOS', lastDownTime: '2026-11-24 07:42:18', customerId: 'C000125', broadbandAccount: account('C000125'),
  });
  set('OLT-NB-01 0/1/1', {
    adminStatus: 'up', operStatus: 'up', onuId: 1, onuSn: 'HWTC7B8C9D0E', rxPower: -21.3, txPower: 2.1,
    lastDownCause: 'Dying gasp', lastDownTime: '2026-11-02 03:11:40', customerId: 'C000201', broadbandAccount: account('C000201'),
  });
  return ports;
}

type DraftAlarm = Omit<Alarm, 'id'>;

function randomAlarm(rng: Rng, port: Port, k: AlarmKind, active: boolean): DraftAlarm {
  const raisedMs = NOW_MS - rng.int(300, 7 * 86400) * 1000;
  const object =
    k.on === 'board' ? `board 0/${port.slot}` : k.on === 'onu' && port.onuId !== null ? `${fsp(port.slot, port.port)} ONU ${port.onuId}` : fsp(port.slot, port.port);
  const clearedMs = Math.min(NOW_MS - 60_000, raisedMs + rng.int(60, 6 * 3600) * 1000);
  return {
    severity: k.type === 'High temperature' && rng.chance(0.5) ? 'minor' : k.severity,
    ne: port.olt,
    object,
    type: k.type,
    probableCause: k.cause,
    raisedAt: formatLocal(raisedMs),
    clearedAt: active ? '' : formatLocal(clearedMs),
    acknowledged: active ? rng.chance(0.3) : rng.chance(0.9),
    serviceAffecting: k.serviceAffecting,
  };
}

function buildAlarms(rng: Rng, ports: Port[]): Alarm[] {
  const eligible = ports.filter((p) => !DEMO_PORT_KEYS.has(portKey(p.olt, p.slot, p.port)));
  const drafts: DraftAlarm[] = [];
  // A port that is down on a live ONU has its LOS alarm, as a real NMS would.
  for (const p of eligible) {
    if (p.operStatus === 'down' && p.adminStatus === 'up' && p.onuId !== null) {
      const a = randomAlarm(rng, p, kind('LOS'), true);
      a.raisedAt = p.lastDownTime;
      drafts.push(a);
    }
  }
  const busy = eligible.filter((p) => p.olt === demo.busyOlt.name);
  const busyActiveFromDown = drafts.filter((d) => d.ne === demo.busyOlt.name).length;
  for (let i = busyActiveFromDown; i < demo.busyOlt.activeAlarms; i++) {
    drafts.push(randomAlarm(rng, rng.pick(busy), rng.pick(ALARM_KINDS.filter((k) => k.type !== 'LOS')), true));
  }
  for (let i = 0; i < 10; i++) drafts.push(randomAlarm(rng, rng.pick(busy), rng.pick(ALARM_KINDS), false));
  const others = eligible.filter((p) => p.olt !== demo.busyOlt.name);
  for (let i = 0; i < 240; i++) {
    drafts.push(randomAlarm(rng, rng.pick(others), rng.pick(ALARM_KINDS.filter((k) => k.type !== 'LOS')), rng.chance(0.15)));
  }
  drafts.sort((a, b) => (a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : 0));
  const alarms: Alarm[] = drafts.map((d, i) => ({ id: `ALM${100001 + i}`, ...d }));

  const fixed = (id: string, type: string, ne: string, object: string, raisedAt: string, clearedAt: string, acknowledged: boolean, severity?: Severity): Alarm => {
    const k = kind(type);
    return { id, severity: severity ?? k.severity, ne, object, type, probableCause: k.cause, raisedAt, clearedAt, acknowledged, serviceAffecting: k.serviceAffecting };
  };
  alarms.push(
    fixed('ALM900001', 'Low Rx power', 'OLT-HZ-01', '0/1/3 ONU 5', '2026-11-23 21:20:11', '', false),
    fixed('ALM900002', 'High BER', 'OLT-HZ-01', '0/1/3', '2026-11-24 06:05:47', '', false),
    fixed('ALM900003', 'Dying gasp', 'OLT-HZ-01', '0/1/3 ONU 5', '2026-11-23 21:14:05', '2026-11-23 21:19:52', true),
    fixed('ALM900004', 'LOS', 'OLT-HZ-01', '0/1/3 ONU 5', '2026-11-18 14:02:33', '2026-11-18 15:47:10', true),
    fixed('ALM900005', 'LOS', 'OLT-HZ-02', '0/2/7 ONU 9', '2026-11-24 07:42:18', '', false),
  );
  return alarms;
}

function buildTickets(rng: Rng, customers: Customer[], ports: Port[]): Ticket[] {
  const portOf = new Map(ports.filter((p) => p.customerId).map((p) => [p.customerId, p]));
  const candidates = customers.filter((c) => c.broadbandAccount && c.status !== 'CLOSED' && portOf.has(c.id) && c.id !== demo.customer.id);
  const tickets: Ticket[] = [];
  TICKET_DAYS.forEach((day, dayIndex) => {
    const dayStart = parseLocal(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)} 07:00:00`);
    for (let n = 1; n <= TICKETS_PER_DAY; n++) {
      const id = `T${day}-${String(n).padStart(4, '0')}`;
      const c = rng.pick(candidates);
      const port = portOf.get(c.id) as Port;
      const createdMs = dayStart + Math.floor(((n - 1) * 12.5 * 3600_000) / TICKETS_PER_DAY) + rng.int(0, 900) * 1000;
      const priority = rng.weighted<Priority>({ P1: 5, P2: 25, P3: 50, P4: 20 });
      const age = TICKET_DAYS.length - 1 - dayIndex;
      const status =
        age >= 3
          ? rng.weighted({ closed: 70, resolved: 25, in_progress: 5 })
          : age >= 1
            ? rng.weighted({ closed: 25, resolved: 35, in_progress: 30, open: 10 })
            : rng.weighted({ open: 60, in_progress: 35, resolved: 5 });
      const missing = rng.chance(0.3) ? ['broadbandAccount', 'address', 'accessPort', 'onuSn'].filter(() => rng.chance(0.5)) : [];
      const t: Ticket = {
        id,
        status,
        customerId: c.id,
        serviceNumber: c.mobile,
        broadbandAccount: missing.includes('broadbandAccount') ? '' : c.broadbandAccount,
        address: missing.includes('address') ? '' : c.address,
        accessPort: missing.includes('accessPort') ? '' : `${port.olt} ${fsp(port.slot, port.port)}`,
        onuSn: missing.includes('onuSn') ? '' : port.onuSn,
        faultType: rng.pick(FAULT_TYPES),
        priority,
        createdAt: formatLocal(createdMs),
        slaDeadline: formatLocal(createdMs + SLA_HOURS[priority] * 3600_000),
        region: c.region,
        assignedTeam: rng.pick(REGION_INFO[c.region].teams),
        notes: rng.pick(TICKET_NOTES),
        version: rng.int(1, 4),
        lastIdempotencyKey: '',
      };
      tickets.push(t);
    }
  });

  const replace = (t: Ticket) => {
    tickets[tickets.findIndex((x) => x.id === t.id)] = t;
  };
  replace({
    id: demo.ticketMissing.id,
    status: 'open',
    customerId: demo.customer.id,
    serviceNumber: demo.customer.mobile,
    broadbandAccount: '',
    address: '',
    accessPort: '',
    onuSn: '',
    faultType: demo.ticketMissing.faultType,
    priority: 'P2',
    createdAt: '2026-11-24 10:26:15',
    slaDeadline: '2026-11-25 10:26:15',
    region: 'hangzhou',
    assignedTeam: '杭州西湖装维一班',
    notes: '客户来电反映家中宽带无法上网，已指导重启光猫，问题仍在。',
    version: 1,
    lastIdempotencyKey: '',
  });
  const c124 = customers.find((c) => c.id === 'C000124') as Customer;
  replace({
    id: demo.ticketComplete.id,
    status: 'open',
    customerId: c124.id,
    serviceNumber: c124.mobile,
    broadbandAccount: c124.broadbandAccount,
    address: c124.address,
    accessPort: 'OLT-HZ-01 0/1/4',
    onuSn: 'HWTC5E6F7A8B',
    faultType: '网速慢 / Slow speed',
    priority: 'P3',
    createdAt: '2026-11-24 10:44:50',
    slaDeadline: '2026-11-26 10:44:50',
    region: 'hangzhou',
    assignedTeam: '杭州西湖装维二班',
    notes: '客户反映晚高峰网速明显变慢。',
    version: 2,
    lastIdempotencyKey: '',
  });
  return tickets;
}
