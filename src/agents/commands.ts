/**
 * The deterministic command planner: the structured requests people type all day, in Chinese or
 * English, with any spacing and full-width characters. No LLM, no cost, works when the provider
 * is down.
 */
import { detectLang, type Lang, type Plan, type Planner } from './plan.js';

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
