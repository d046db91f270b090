/**
 * Every example in `help` (each skill's help line) and in README.md is valid at any date (issue
 * 13): each plans as the command it shows, and the README's write examples pass their proposal
 * guard, at today's date and a year later (a controlled clock). A fixed date in an example (the
 * dispatch window 2026-11-25 that failed after that day) makes this test fail the day it passes.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alarm, fakeTools, ticket } from './helpers/skill-harness.js';
import { skills } from '../src/skills/index.js';
import { parseCommand } from '../src/skills/planner.js';
import { runFlow } from '../src/skills/router.js';
import { formatTime } from '../src/chat/locale.js';
import { TEAMS } from '../src/sandbox/seed-workorders.js';

/** Placeholders of the help lines, filled with values of the sandbox's seed. */
const SAMPLES: [RegExp, string][] = [
  [/<手机号或客户编号>/g, 'C000123'],
  [/<手机号，[^>]*>/g, '13857101234 13857101235'],
  [/<mobiles[^>]*>/g, '13857101234 13857101235'],
  [/<手机号>|<mobile>/g, '13857101234'],
  [/<身份证号>|<ID number>/g, '11010519491231002X'],
  [/<team or engineer>/g, '杭州装维一组'],
  [/<新地址>|<new address>/g, '杭州市西湖区文三路 400 号'],
  [/<text>/g, 'customer restarted the ONU'],
  [/<申请编号>|<request id>/g, '1a2b3c4d'],
];

/** The commands a help line shows: before its " — " explanation, each "a / b" alternative, with and without its [optional] parts. */
function helpExamples(line: string): string[] {
  let cmd = line.split(' — ')[0]!.replace(/[（(][^）)]*[）)]\s*$/, '').trim();
  for (const [re, v] of SAMPLES) cmd = cmd.replace(re, v);
  return cmd.split(' / ').flatMap((alt) => {
    const full = alt.replace(/\[|\]/g, '').replace(/\s+/g, ' ').trim();
    const bare = alt.replace(/\s*\[.*\]/, '').trim();
    return [...new Set([full, bare])];
  });
}

const helpLines = skills.flatMap((s) => s.help.flatMap((h) => [h.text.zh, h.text.en].map((text) => ({ flow: s.flow, text }))));

/** Backticked commands of README.md: those naming an id of the sandbox, or `help`. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const NOT_COMMANDS = new Set([
  // A value the README names, not a command.
  '13857101234',
  // "followed by many numbers": tested below with numbers.
  '批量查询号码状态',
]);
const readmeExamples = [...new Set([...readme.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!))].filter(
  (s) => !NOT_COMMANDS.has(s) && !/^(npm|node|npx|curl|git)\b|[{}]|^\/console|=.*=.*=/.test(s) && (/(T\d{8}-\d{4}|C\d{6}|OLT-|ALM\d|W\d{8}|CH\d{3}|1[3-9]\d{9})/.test(s) || s === 'help'),
);

const NOW = new Date();
const clocks = [
  ['today', NOW],
  ['a year later', new Date(NOW.getTime() + 365 * 86_400_000)],
] as const;

afterEach(() => {
  vi.useRealTimers();
});

describe.each(clocks)('examples at %s', (_label, now) => {
  it.each(helpLines.flatMap((h) => helpExamples(h.text).map((e) => [e, h.flow] as const)))('help example plans: %s', (example, flow) => {
    expect(parseCommand(example, now)).toMatchObject({ flow });
  });

  it('finds the README examples', () => {
    expect(readmeExamples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(readmeExamples)('README example plans as a command: %s', (example) => {
    const plan = parseCommand(example, now);
    expect(['unknown', 'clarify'], JSON.stringify(plan)).not.toContain(plan.flow);
  });

  it('the README batch example plans with its numbers', () => {
    expect(parseCommand('批量查询号码状态\n13857101234\n13857101235', now)).toMatchObject({ flow: 'numbers.batch' });
  });

  const writes = readmeExamples.filter((e) => /^(派单|确认告警|工单备注|更新工单|发短信|补全工单|dispatch|complete)/.test(e));
  it.each(writes)('README write example passes its proposal guard on this date: %s', async (example) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    const plan = parseCommand(example);
    const { tools } = fakeTools({
      'ticket.get': () => ({ ...ticket({ status: 'open', broadbandAccount: null, accessPort: null }), missingFields: ['broadbandAccount', 'accessPort'] }),
      'nms.getAlarm': (input) => alarm({ id: String(input.alarmId) }),
      'crm.getCustomer': () => ({ customerId: 'C000123', name: '张*', mobile: '138****1234', residentId: '110105********002X', status: 'ACTIVE', realNameVerified: true, broadbandAccount: 'hz81000123', address: '杭州市西湖区文三路 1 号', region: 'hangzhou', plans: [] }),
      'workorder.list': () => ({ ticketId: 'T20261124-0012', workOrders: [] }),
      // The sandbox portal's directory: the examples name its teams.
      'workorder.teams': (input) => ({ region: input.region ?? null, teams: TEAMS.filter((t) => !input.region || t.region === input.region).map((t) => ({ ...t, engineers: [...t.engineers] })) }),
      'resource.getPort': () => ({ olt: 'OLT-HZ-01', fsp: '0/1/3', region: 'hangzhou', adminStatus: 'up', operStatus: 'up', onuId: 5, onuSn: 'HWTC12345678', rxPowerDbm: -20, txPowerDbm: 2, rxBand: 'normal', lastDownCause: null, lastDownAt: null, broadbandAccount: 'hz81000123' }),
    });
    const result = await runFlow(plan, tools);
    expect(result.kind, JSON.stringify(result)).toBe('propose');
    // A dispatch window always lies ahead of the clock it was asked at.
    if (plan.flow === 'workorder.dispatch') expect(plan.start > formatTime(now)).toBe(true);
  });
});
