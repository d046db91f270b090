/**
 * The deterministic command planner: the structured requests people type all day, in Chinese or
 * English, with any spacing and full-width characters. No LLM, no cost, works when the provider
 * is down.
 */
import { BATCH_MAX, type Plan, type Planner } from './plan.js';
import { detectLang, type Lang } from '../chat/lang.js';

const OLT = /\b(OLT-[A-Z]{2}-\d{1,3})\b/i;
// F/S/P written 0/1/3, 0-1-3 or with spaces around the slashes.
const FSP = /(?<![\d/-])(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{1,3})(?![\d/-])/;
const TICKET = /\b(T\d{8}-\d{4})\b/i;

const COMPLETE_WORDS = /(补全|补齐|完善|补充|complete|fill\s*(in|out)?|backfill)/i;
const PORT_WORDS = /(端口|光功率|光衰|\bport\b|\bpon\b|\bonu\b|status|状态|查)/i;
const ALARM_WORDS = /(告警|警报|alarm)/i;
const TICKET_WORDS = /(工单|ticket|查|show|get|看)/i;
const HELP = /^(\/?help|帮助|\/?\?|？|怎么用|你能做什么|what can you do\??)$/i;

/** Full-width to half-width (NFKC), one space between words. */
export function normalizeCommand(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

export class CommandPlanner implements Planner {
  readonly name = 'commands';

  async plan(raw: string): Promise<Plan> {
    return parseCommand(raw);
  }
}

export function parseCommand(raw: string): Plan {
  const text = normalizeCommand(raw);
  const lang: Lang = detectLang(text);
  if (text === '' || HELP.test(text)) return { flow: 'help', lang };
  const work = parseWorkCommand(raw, text, lang);
  if (work) return work;

  const ticket = TICKET.exec(text)?.[1]?.toUpperCase();
  const olt = OLT.exec(text)?.[1]?.toUpperCase();
  const fspMatch = FSP.exec(text);
  const fsp = fspMatch ? `${Number(fspMatch[1])}/${Number(fspMatch[2])}/${Number(fspMatch[3])}` : undefined;
  const slash = text.startsWith('/') ? text.slice(1).split(' ')[0]!.toLowerCase() : undefined;

  if (COMPLETE_WORDS.test(text) || slash === 'complete') {
    if (ticket) return { flow: 'ticket.complete', lang, ticketId: ticket };
    if (/(工单|ticket)/i.test(text) || slash === 'complete') {
      return { flow: 'clarify', lang, question: ask(lang, 'ticketId', 'complete') };
    }
  }
  if (ALARM_WORDS.test(text) || slash === 'alarms') {
    if (olt) return { flow: 'alarms.list', lang, ne: olt, object: fsp ?? null };
    return { flow: 'clarify', lang, question: ask(lang, 'ne') };
  }
  if (olt && fsp && (PORT_WORDS.test(text) || text.replace(OLT, '').replace(FSP, '').trim() === '')) {
    return { flow: 'port.status', lang, olt, fsp };
  }
  if (ticket && (TICKET_WORDS.test(text) || text.toUpperCase() === ticket)) {
    return { flow: 'ticket.show', lang, ticketId: ticket };
  }
  if (/(端口|\bport\b)/i.test(text) || slash === 'port') {
    return { flow: 'clarify', lang, question: ask(lang, olt ? 'fsp' : 'port') };
  }
  if (/(工单|\bticket\b)/i.test(text)) {
    return { flow: 'clarify', lang, question: ask(lang, 'ticketId', 'show') };
  }
  return { flow: 'unknown', lang };
}

function ask(lang: Lang, what: 'port' | 'fsp' | 'ne' | 'ticketId', verb: 'complete' | 'show' = 'show'): string {
  const zh: Record<typeof what, string> = {
    port: '请告诉我 OLT 名称和端口（框/槽/端口），例如：查端口 OLT-HZ-01 0/1/3',
    fsp: '请告诉我端口的框/槽/端口号，例如：查端口 OLT-HZ-01 0/1/3',
    ne: '请告诉我网元（OLT）名称，例如：查告警 OLT-HZ-01',
    ticketId: verb === 'complete' ? '请告诉我工单号，例如：补全工单 T20261124-0012' : '请告诉我工单号，例如：查工单 T20261124-0012',
  };
  const en: Record<typeof what, string> = {
    port: 'Which port? Give the OLT name and frame/slot/port, e.g. "port OLT-HZ-01 0/1/3".',
    fsp: 'Which port on that OLT? Give frame/slot/port, e.g. "port OLT-HZ-01 0/1/3".',
    ne: 'Which network element? e.g. "alarms OLT-HZ-01".',
    ticketId: verb === 'complete' ? 'Which ticket? e.g. "complete ticket T20261124-0012".' : 'Which ticket? e.g. "ticket T20261124-0012".',
  };
  return lang === 'zh' ? zh[what] : en[what];
}

// ------------------------------------------------------------------------------------------------
// Issue 3: identity, risk, bills, eligibility, work orders, alarm acknowledgement, ticket notes,
// dispatch, SMS, reconciliation and batch number status. Write commands are recognised only at
// the start of the message (their free text may hold any word); reads by their keywords.

const LEAD = String.raw`^\/?(?:(?:请|请帮我|帮我|帮忙|麻烦|please|pls)\s*)*`;
const anchored = (alternatives: string) => new RegExp(`${LEAD}(?:${alternatives})(?![a-z])\\s*`, 'i');

const NOTE_CMD = anchored(String.raw`工单备注|添加工单备注|添加备注|加备注|备注工单|add\s+(?:a\s+)?note(?:\s+to)?|note`);
const DISPATCH_CMD = anchored(String.raw`派单|派工|派发工单|dispatch`);
const SMS_CMD = anchored(String.raw`发送短信|发短信|短信通知|send\s+(?:an?\s+)?sms|sms`);
const ACK_CMD = anchored(String.raw`确认告警|告警确认|ack(?:nowledge)?(?:\s+(?:the\s+)?alarm)?`);

const BATCH_WORDS = /(批量查询号码状态|批量查号码状态|批量查询号码|批量号码状态|批量查号|号码状态|batch\s+(?:number\s+)?status|number\s+status|^\/batch(?![a-z]))/i;
const IDENTITY_WORDS = /(核验身份|身份核验|实名核验|核验实名|验证身份|身份验证|verify\s+(?:id|identity)(?![a-z])|(?:id|identity)\s+check|^\/verify(?![a-z]))/i;
const BLACKLIST_WORDS = /(黑名单|查风险|风险查询|风险核查|blacklist|black\s+list|risk\s+check|^\/risk(?![a-z]))/i;
const ELIGIBILITY_WORDS = /(能否办理|可否办理|能不能办|套餐资格|办理资格|资格校验|eligib(?:le|ility)|^\/eligible(?![a-z]))/i;
const BILLS_WORDS = /(账单|话费|bills?(?![a-z])|^\/bills(?![a-z]))/i;
const WORKORDER_WORDS = /(查派单|派单详情|派单查询|work\s*order|^\/wo(?![a-z]))/i;
const RECON_WORDS = /(对账|reconcil[a-z]*|recon(?![a-z]))/i;

const CUSTOMER = /(?<![A-Za-z0-9])(C\d{6})(?![A-Za-z0-9])/i;
const MOBILE = /(?<![A-Za-z0-9])(?:(?:\+86|0086)[- ]?)?(1[3-9]\d(?:-?\d){8})(?![A-Za-z0-9])/;
/** Anything that looks like a resident ID number (15 to 20 characters); the tool checks it. */
const RESIDENT_ID = /(?<![A-Za-z0-9])(\d{14,19}[\dXx])(?![A-Za-z0-9])/;
const PERIOD = /(?<!\d)(20\d{2})(?:[-/.]|年)(\d{1,2})月?(?!\d)/g;
const PLAN_CODE = /(?<![A-Za-z0-9_])(P(?=[A-Z0-9_]*\d)[A-Z0-9_]{2,30})(?![A-Za-z0-9_])/i;
const WORK_ORDER = /(?<![A-Za-z0-9])(W\d{8}-\d{4})(?![A-Za-z0-9])/i;
const ALARM_ID = /(?<![A-Za-z0-9])(ALM-?\d{6,10})(?![A-Za-z0-9])/i;
const CHANNEL = /(?<![A-Za-z0-9])(CH\d{3})(?![A-Za-z0-9])/i;
const TEMPLATE = /(?<![A-Za-z0-9_])(SMS_[A-Z0-9_]{2,40})(?![A-Za-z0-9_])/i;
const PRIORITY = /(?<![A-Za-z0-9_])P([1-4])(?![A-Za-z0-9_])/i;
const DATE = /(?<!\d)(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)/;
const WINDOW = /(?<!\d)(\d{1,2}):(\d{2})\s*(?:-|~|到|至|—|–)\s*(\d{1,2}):(\d{2})(?!\d)/;
const TEAM_WORDS = /(组|班|队|中心|站|部|team|group|crew|squad|unit)/i;

const MAX_NOTE = 500;
const MAX_DISPATCH_NOTE = 200;

type Customer = { customerId: string } | { mobile: string };

function customerIn(text: string): Customer | undefined {
  const id = CUSTOMER.exec(text)?.[1];
  if (id) return { customerId: id.toUpperCase() };
  const mobile = mobileIn(text);
  return mobile ? { mobile } : undefined;
}

function mobileIn(text: string): string | undefined {
  const m = MOBILE.exec(text)?.[1];
  return m ? m.replace(/-/g, '') : undefined;
}

/** YYYY-MM periods in order; `bad` when something looks like a month but is not one. */
function periodsIn(text: string): { periods: string[]; bad: boolean } {
  const periods: string[] = [];
  let bad = false;
  for (const m of text.matchAll(PERIOD)) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) bad = true;
    else periods.push(`${m[1]}-${String(month).padStart(2, '0')}`);
  }
  return { periods, bad };
}

/**
 * The user's own words after the token holding `re`'s match, taken from the raw text so that
 * punctuation in a note stays as typed (only the token with the id itself is normalized).
 */
function rawRestAfter(raw: string, re: RegExp): string {
  const tokens = raw.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const norm = tokens[i]!.normalize('NFKC');
    const m = re.exec(norm);
    if (m) return [norm.slice(m.index + m[0].length), ...tokens.slice(i + 1)].join(' ').trim();
  }
  return '';
}

const stripLead = (s: string, words: RegExp) => s.replace(words, '').trim();

/**
 * Commands that carry free text (a note, a name, a team, SMS parameters) answer in the language
 * of their command word: "add note T… 用户已重启光猫" is an English request.
 */
const keywordLang = (re: RegExp, text: string): Lang => detectLang(re.exec(text)?.[0] ?? text);

export function parseWorkCommand(raw: string, text: string, lang: Lang): Plan | undefined {
  if (NOTE_CMD.test(text)) return ticketNote(raw, text, keywordLang(NOTE_CMD, text));
  if (DISPATCH_CMD.test(text)) {
    if (!TICKET.test(text) && WORK_ORDER.test(text)) return { flow: 'workorder.show', lang, workOrderId: WORK_ORDER.exec(text)![1]!.toUpperCase() };
    return dispatch(text, keywordLang(DISPATCH_CMD, text));
  }
  if (SMS_CMD.test(text)) return sms(text, keywordLang(SMS_CMD, text));
  if (ACK_CMD.test(text)) return ackAlarm(raw, text, keywordLang(ACK_CMD, text));

  if (BATCH_WORDS.test(text)) return batch(text, lang);
  if (IDENTITY_WORDS.test(text)) return identity(text, keywordLang(IDENTITY_WORDS, text));
  if (BLACKLIST_WORDS.test(text)) {
    const residentId = RESIDENT_ID.exec(text)?.[1]?.toUpperCase() ?? null;
    const mobile = mobileIn(text) ?? null;
    if (!mobile && !residentId) return clarify(lang, 'blacklist');
    return { flow: 'blacklist.check', lang, mobile, residentId };
  }
  if (ELIGIBILITY_WORDS.test(text)) {
    const planCode = PLAN_CODE.exec(text)?.[1]?.toUpperCase();
    const customer = customerIn(text.replace(PLAN_CODE, ' '));
    if (!planCode) return clarify(lang, 'planCode');
    if (!customer) return clarify(lang, 'eligibilityCustomer');
    return { flow: 'plan.eligibility', lang, customer, planCode };
  }
  if (BILLS_WORDS.test(text)) {
    const customer = customerIn(text);
    if (!customer) return clarify(lang, 'billsCustomer');
    const { periods, bad } = periodsIn(text);
    if (bad || periods.length > 2) return clarify(lang, 'period');
    const sorted = [...periods].sort();
    // One month alone means that month's bill.
    return { flow: 'bills.show', lang, customer, from: sorted[0] ?? null, to: sorted[1] ?? sorted[0] ?? null };
  }
  const workOrder = WORK_ORDER.exec(text)?.[1]?.toUpperCase();
  if (WORKORDER_WORDS.test(text) || (workOrder && text.toUpperCase() === workOrder)) {
    if (workOrder) return { flow: 'workorder.show', lang, workOrderId: workOrder };
    return clarify(lang, 'workOrderId');
  }
  if (RECON_WORDS.test(text) || text.toLowerCase().startsWith('/recon')) {
    const channel = CHANNEL.exec(text)?.[1]?.toUpperCase();
    const { periods, bad } = periodsIn(text);
    if (!channel) return clarify(lang, 'channel');
    if (bad || periods.length !== 1) return clarify(lang, 'reconPeriod');
    return { flow: 'recon.channel', lang, channelId: channel, period: periods[0]! };
  }
  return undefined;
}

function identity(text: string, lang: Lang): Plan {
  const residentId = RESIDENT_ID.exec(text)?.[1]?.toUpperCase();
  const rest = residentId ? text.replace(RESIDENT_ID, ' ') : text;
  const customer = customerIn(rest);
  if (!customer) return clarify(lang, 'identityCustomer');
  if (!residentId) return clarify(lang, 'residentId');
  let name: string | null = null;
  const labelled = /(?:name|姓名|名字)\s*[:=]?\s*(.+)$/i.exec(rest);
  if (labelled) name = labelled[1]!.trim();
  else {
    const leftover = rest
      .replace(IDENTITY_WORDS, ' ')
      .replace(CUSTOMER, ' ')
      .replace(MOBILE, ' ')
      .replace(/(客户|用户|的|customer|for|of)/gi, ' ')
      .trim();
    if (/^[\u3400-\u9fff·]{2,6}$/.test(leftover)) name = leftover;
  }
  return { flow: 'identity.verify', lang, customer, residentId, name: name || null };
}

function ticketNote(raw: string, text: string, lang: Lang): Plan {
  const ticket = TICKET.exec(text)?.[1]?.toUpperCase();
  if (!ticket) return clarify(lang, 'noteTicket');
  const note = stripLead(rawRestAfter(raw, TICKET), /^(?:[:：,，]|备注|内容|note|text)+\s*/i);
  if (!note) return clarify(lang, 'noteText');
  if (note.length > MAX_NOTE) return clarify(lang, 'noteTooLong');
  return { flow: 'ticket.note', lang, ticketId: ticket, note };
}

function ackAlarm(raw: string, text: string, lang: Lang): Plan {
  const id = ALARM_ID.exec(text)?.[1];
  if (!id) return clarify(lang, 'alarmId');
  const note = stripLead(rawRestAfter(raw, ALARM_ID), /^(?:[:：,，]|备注|note|comment)+\s*/i);
  if (note.length > MAX_DISPATCH_NOTE) return clarify(lang, 'ackNoteTooLong');
  return { flow: 'alarm.ack', lang, alarmId: id.toUpperCase().replace('-', ''), note: note || null };
}

function dispatch(text: string, lang: Lang): Plan {
  const ticketM = TICKET.exec(text);
  if (!ticketM) return clarify(lang, 'dispatchTicket');
  const afterTicket = ticketM.index + ticketM[0].length;
  const tail = text.slice(afterTicket);
  const prio = PRIORITY.exec(tail);
  const date = DATE.exec(tail);
  const win = WINDOW.exec(tail);
  const firstArg = Math.min(...[prio, date, win].filter((m) => m).map((m) => m!.index), tail.length);
  const CONNECT = /^(?:to|给|派给|交给|→|->|:|,)\s*/i;
  let who = stripLead(tail.slice(0, firstArg).trim(), CONNECT);
  if (!who && prio && (!date || prio.index < date.index)) {
    const until = Math.min(...[date, win].filter((m) => m).map((m) => m!.index), tail.length);
    who = stripLead(tail.slice(prio.index + prio[0].length, until).trim(), CONNECT);
  }
  who = who.replace(/[,，]$/, '').trim();
  if (!who) return clarify(lang, 'assignee');
  if (!prio) return clarify(lang, 'priority');
  if (!date || !win) return clarify(lang, 'window');
  const day = `${date[1]}-${date[2]!.padStart(2, '0')}-${date[3]!.padStart(2, '0')}`;
  const start = `${day} ${win[1]!.padStart(2, '0')}:${win[2]}`;
  const end = `${day} ${win[3]!.padStart(2, '0')}:${win[4]}`;
  if (end <= start) return clarify(lang, 'windowOrder');
  const note = stripLead(tail.slice(win.index + win[0].length), /^(?:[:：,，]|备注|note)+\s*/i);
  if (note.length > MAX_DISPATCH_NOTE) return clarify(lang, 'dispatchNoteTooLong');
  const explicitEngineer = /^(?:工程师|师傅|engineer|tech(?:nician)?)\s*/i;
  const explicitTeam = /^(?:班组|团队|team)\s*/i;
  let team: string | null = null;
  let engineer: string | null = null;
  if (explicitEngineer.test(who)) engineer = who.replace(explicitEngineer, '').trim();
  else if (explicitTeam.test(who)) team = who.replace(explicitTeam, '').trim();
  else if (TEAM_WORDS.test(who)) team = who;
  else engineer = who;
  if (!(team ?? engineer)) return clarify(lang, 'assignee');
  return { flow: 'workorder.dispatch', lang, ticketId: ticketM[1]!.toUpperCase(), team, engineer, priority: `P${prio[1]}` as 'P1', start, end, note: note || null };
}

function sms(text: string, lang: Lang): Plan {
  const mobile = mobileIn(text);
  const tpl = TEMPLATE.exec(text);
  if (!mobile) return clarify(lang, 'smsMobile');
  if (!tpl) return clarify(lang, 'smsTemplate');
  const rest = text.slice(tpl.index + tpl[0].length).trim();
  const params: Record<string, string> = {};
  if (rest) {
    const PAIR = /([a-zA-Z]\w{0,30})\s*=\s*(.*?)(?=\s+[a-zA-Z]\w{0,30}\s*=|$)/g;
    if (!/^[a-zA-Z]\w{0,30}\s*=/.test(rest)) return clarify(lang, 'smsParams');
    for (const m of rest.matchAll(PAIR)) {
      const value = m[2]!.trim();
      if (!value) return clarify(lang, 'smsParams');
      params[m[1]!] = value;
    }
  }
  return { flow: 'sms.send', lang, mobile, templateId: tpl[1]!.toUpperCase(), params };
}

function batch(text: string, lang: Lang): Plan {
  const list = text.replace(BATCH_WORDS, ' ');
  const mobiles: string[] = [];
  const seen = new Set<string>();
  const invalid: string[] = [];
  let duplicates = 0;
  for (const token of list.split(/[\s,;、|]+/)) {
    if (!/\d/.test(token)) continue;
    const digits = token.replace(/[-()]/g, '').replace(/^(?:\+86|0086)/, '');
    if (!/^1[3-9]\d{9}$/.test(digits)) {
      invalid.push(token);
      continue;
    }
    if (seen.has(digits)) {
      duplicates++;
      continue;
    }
    seen.add(digits);
    mobiles.push(digits);
  }
  if (mobiles.length === 0) return clarify(lang, invalid.length ? 'batchNoneValid' : 'batchNumbers');
  if (mobiles.length > BATCH_MAX) {
    return {
      flow: 'clarify',
      lang,
      question:
        lang === 'zh'
          ? `一次最多查询 ${BATCH_MAX} 个号码，你提供了 ${mobiles.length} 个（已去重），请分批发送。`
          : `At most ${BATCH_MAX} numbers at a time; you gave ${mobiles.length} (after removing duplicates). Please split them up.`,
    };
  }
  return { flow: 'numbers.batch', lang, mobiles, invalid, duplicates };
}

type Missing =
  | 'identityCustomer'
  | 'residentId'
  | 'blacklist'
  | 'planCode'
  | 'eligibilityCustomer'
  | 'billsCustomer'
  | 'period'
  | 'workOrderId'
  | 'alarmId'
  | 'ackNoteTooLong'
  | 'noteTicket'
  | 'noteText'
  | 'noteTooLong'
  | 'dispatchTicket'
  | 'assignee'
  | 'priority'
  | 'window'
  | 'windowOrder'
  | 'dispatchNoteTooLong'
  | 'smsMobile'
  | 'smsTemplate'
  | 'smsParams'
  | 'channel'
  | 'reconPeriod'
  | 'batchNumbers'
  | 'batchNoneValid';

const questions: Record<Missing, { zh: string; en: string }> = {
  identityCustomer: {
    zh: '请告诉我客户编号或手机号，以及身份证号，例如：核验身份 C000123 <身份证号>',
    en: 'Whose identity? Give a customer id or mobile and the ID number, e.g. "verify id C000123 <ID number>".',
  },
  residentId: {
    zh: '请告诉我客户提供的身份证号，例如：核验身份 C000123 <身份证号>',
    en: 'Which ID number did the customer give? e.g. "verify id C000123 <ID number>".',
  },
  blacklist: {
    zh: '请告诉我要核查的手机号或身份证号，例如：黑名单 <手机号>',
    en: 'Which mobile or ID number should I check? e.g. "blacklist check <mobile>".',
  },
  planCode: {
    zh: '请告诉我套餐编码，例如：能否办理 P5G_199 C000123',
    en: 'Which plan? Give its code, e.g. "eligible C000123 P5G_199".',
  },
  eligibilityCustomer: {
    zh: '请告诉我客户编号或手机号，例如：能否办理 P5G_199 C000123',
    en: 'For which customer? Give a customer id or mobile, e.g. "eligible C000123 P5G_199".',
  },
  billsCustomer: {
    zh: '请告诉我客户编号或手机号，例如：查账单 C000123 2026-09 2026-11',
    en: 'Whose bills? Give a customer id or mobile, e.g. "bills C000123 2026-09 2026-11".',
  },
  period: {
    zh: '账期请写成年-月，最多两个（起止），例如：查账单 C000123 2026-09 2026-11',
    en: 'Give periods as year-month, at most two (from, to), e.g. "bills C000123 2026-09 2026-11".',
  },
  workOrderId: {
    zh: '请告诉我派单号，例如：查派单 W20261124-0001',
    en: 'Which work order? e.g. "work order W20261124-0001".',
  },
  alarmId: {
    zh: '请告诉我告警编号，例如：确认告警 ALM900001 已通知装维',
    en: 'Which alarm? Give its id, e.g. "ack alarm ALM900001".',
  },
  ackNoteTooLong: { zh: '告警确认备注最多 200 字，请精简后再发。', en: 'An acknowledgement note can be at most 200 characters; please shorten it.' },
  noteTicket: {
    zh: '请告诉我工单号和备注内容，例如：工单备注 T20261124-0012 用户已重启光猫',
    en: 'Which ticket? e.g. "add note T20261124-0012 customer restarted the ONU".',
  },
  noteText: {
    zh: '请告诉我备注内容，例如：工单备注 T20261124-0012 用户已重启光猫',
    en: 'What should the note say? e.g. "add note T20261124-0012 customer restarted the ONU".',
  },
  noteTooLong: { zh: `工单备注最多 ${MAX_NOTE} 字，请精简后再发。`, en: `A ticket note can be at most ${MAX_NOTE} characters; please shorten it.` },
  dispatchTicket: {
    zh: '请告诉我工单号，例如：派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00',
    en: 'Which ticket? e.g. "dispatch T20261124-0012 to HZ install team 1 P2 2026-11-25 09:00-11:00".',
  },
  assignee: {
    zh: '请告诉我派给哪个班组或工程师，例如：派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00',
    en: 'To which team or engineer? e.g. "dispatch T20261124-0012 to HZ install team 1 P2 2026-11-25 09:00-11:00".',
  },
  priority: {
    zh: '请告诉我优先级（P1-P4），例如：派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00',
    en: 'Which priority (P1-P4)? e.g. "dispatch T20261124-0012 to HZ install team 1 P2 2026-11-25 09:00-11:00".',
  },
  window: {
    zh: '请告诉我预约日期和时段，例如：派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00',
    en: 'When? Give the date and time window, e.g. "dispatch T20261124-0012 to HZ install team 1 P2 2026-11-25 09:00-11:00".',
  },
  windowOrder: { zh: '预约时段的结束时间必须晚于开始时间，例如 09:00-11:00。', en: 'The window must end after it starts, e.g. 09:00-11:00.' },
  dispatchNoteTooLong: { zh: '派单备注最多 200 字，请精简后再发。', en: 'A dispatch note can be at most 200 characters; please shorten it.' },
  smsMobile: {
    zh: '请告诉我接收短信的手机号，例如：发短信 <手机号> SMS_FAULT_NOTICE ticket=T20261124-0012',
    en: 'To which mobile? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012".',
  },
  smsTemplate: {
    zh: '请告诉我短信模板编号（SMS_ 开头），例如：发短信 <手机号> SMS_FAULT_NOTICE ticket=T20261124-0012',
    en: 'Which template (starting SMS_)? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012".',
  },
  smsParams: {
    zh: '短信参数请写成 名称=值，例如：发短信 <手机号> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00',
    en: 'Give template parameters as name=value, e.g. "send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00".',
  },
  channel: { zh: '请告诉我渠道编号和账期，例如：对账 CH001 2026-10', en: 'Which channel and period? e.g. "reconcile CH001 2026-10".' },
  reconPeriod: { zh: '请告诉我一个账期（年-月），例如：对账 CH001 2026-10', en: 'Which period (one year-month)? e.g. "reconcile CH001 2026-10".' },
  batchNumbers: {
    zh: `请在命令后附上手机号（空格、逗号或换行分隔，最多 ${BATCH_MAX} 个），例如：批量查询号码状态 <手机号> <手机号> …`,
    en: `Add the mobile numbers after the command (separated by spaces, commas or new lines, at most ${BATCH_MAX}), e.g. "batch status <mobile> <mobile> …".`,
  },
  batchNoneValid: {
    zh: '没有找到有效的 11 位手机号，请检查后重发，例如：批量查询号码状态 <手机号> <手机号> …',
    en: 'None of those is a valid 11-digit mobile number; please check them, e.g. "batch status <mobile> <mobile> …".',
  },
};

function clarify(lang: Lang, what: Missing): Plan {
  return { flow: 'clarify', lang, question: questions[what][lang] };
}
