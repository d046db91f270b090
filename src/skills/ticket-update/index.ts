/**
 * Correct one field of a ticket after a manager approves: "更新工单 T20261124-0012 地址 …". It uses
 * the ticket-field write and its one guard (ticket-complete/guard.ts): the field's current value
 * becomes `expected`, and a value that is already there is answered, not proposed.
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { completableFields, getTicketInput, getTicketOutput, updateTicketFieldsInput, type CompletableField } from '../../tools/ticket/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { TICKET, anchored, keywordLang, rawAfter, rawRestAfter, ticketIn, whole, words } from '../grammar.js';
import { ticketFieldsProposal } from '../ticket-complete/guard.js';
import { updateTexts } from './texts.js';

const STRONG_UPDATE = anchored(String.raw`更新工单|修改工单|更正工单|update\s+ticket|correct\s+ticket`);
const BETWEEN = words('工单', 'ticket', 'the', '把', '将');
const UPDATE_CMD = anchored(String.raw`更新工单|修改工单|更正工单|更新|修改|更正|update\s+ticket|correct\s+ticket|update|correct`);
/** The field as people name it, at the start of what follows the ticket id. */
const FIELD_WORDS: [RegExp, CompletableField][] = [
  [/^(?:的)?\s*(?:装机地址|地址|address)\s*(?:[:：=]|改为|改成|更新为|为|成|to\b)?\s*/i, 'address'],
  [/^(?:的)?\s*(?:宽带账号|宽带帐号|broadband\s+account|account)\s*(?:[:：=]|改为|改成|更新为|为|成|to\b)?\s*/i, 'broadbandAccount'],
  [/^(?:的)?\s*(?:接入端口|端口|access\s+port|port)\s*(?:[:：=]|改为|改成|更新为|为|成|to\b)?\s*/i, 'accessPort'],
  [/^(?:的)?\s*(?:onu\s*sn|onu)\s*(?:[:：=]|改为|改成|更新为|为|成|to\b)?\s*/i, 'onuSn'],
];
const q = updateTexts.questions;

const FIELD_SRC = String.raw`装机地址|地址|宽带账号|宽带帐号|接入端口|端口|onu\s*sn|onu|broadband\s+account|account|access\s+port|port|address`;
const fieldOf = (word: string): CompletableField | undefined => FIELD_WORDS.find(([re]) => re.test(`${word} `))?.[1];
/**
 * Everyday forms: "工单T… 地址改成 …", "把T…的地址改为…", "T… 宽带账号改成…" (a change word is
 * needed: "T… 地址" alone is a question), "change the address of T… to …", "set T… onu sn …".
 */
const EVERYDAY: RegExp[] = [
  new RegExp(String.raw`^(?:请|帮我|帮忙|麻烦)?\s*(?:把|将)?\s*(?:工单|ticket)?\s*${TICKET.source}\s*(?:的)?\s*(?<field>${FIELD_SRC})\s*(?:改成|改为|更新为|更新成|修改为|修改成|更正为|换成|应为|应该是|改一下|改下|改)\s*[:：]?`, 'i'),
  new RegExp(String.raw`^(?:please\s+)?(?:change|update|set|correct|fix)\s+(?:the\s+)?(?<field>${FIELD_SRC})\s+(?:of|on|for)\s+(?:ticket\s+)?${TICKET.source}\s+(?:to|=|:)`, 'i'),
  new RegExp(String.raw`^(?:please\s+)?(?:change|update|set|correct|fix)\s+(?:ticket\s+)?${TICKET.source}(?:'s)?\s+(?<field>${FIELD_SRC})(?:\s+to|\s*[=:])?`, 'i'),
];

export const ticketUpdate = defineSkill({
  flow: 'ticket.update',
  plan: z.object({ flow: z.literal('ticket.update'), lang: langSchema, ticketId: z.string(), field: z.enum(completableFields), value: z.string() }),
  commands: [
    {
      priority: 140,
      // The new value is free text (an address): the rule checks what precedes it.
      words: 'own',
      parse: ({ raw, text, lang: asked, now }) => {
        for (const re of EVERYDAY) {
          const m = re.exec(text);
          const field = m?.groups?.field ? fieldOf(m.groups.field) : undefined;
          if (!m || !field) continue;
          const value = rawAfter(raw, new RegExp(re.source, 'i')).normalize('NFKC').replace(/^[:：=]\s*/, '').trim();
          if (!value) return clarify(asked, q.value);
          return { flow: 'ticket.update' as const, lang: asked, ticketId: ticketIn(text)!, field, value };
        }
        const cmd = UPDATE_CMD.exec(text);
        if (!cmd) return undefined;
        const lang = keywordLang(UPDATE_CMD, text);
        // "更新工单" asks about a ticket; a bare "更新" / "update" is this request only with a ticket and a field.
        const strong = STRONG_UPDATE.test(text);
        const ticketAt = TICKET.exec(text);
        if (!ticketAt) return strong ? clarify(lang, q.ticket) : undefined;
        // Between the command word and the ticket: nothing but 工单 / ticket / the ("update me on T…" is not this).
        if (!whole(text.slice(cmd[0].length, ticketAt.index), BETWEEN, now)) return undefined;
        const ticket = ticketAt[1]!.toUpperCase();
        // The value as typed (punctuation and spacing of an address kept), the field word normalized.
        const rest = rawRestAfter(raw, TICKET).normalize('NFKC').trim();
        const match = FIELD_WORDS.find(([re]) => re.test(rest));
        if (!match) return strong ? clarify(lang, q.field) : undefined;
        const value = rest.replace(match[0], '').trim();
        if (!value) return clarify(lang, q.value);
        return { flow: 'ticket.update' as const, lang, ticketId: ticket, field: match[1], value };
      },
    },
  ],
  uses: { tool: 'ticket.updateFields', effect: 'write' },
  help: [{ section: 'write', order: 2.5, text: { zh: '更新工单 T20261124-0012 地址 <新地址>（地址、宽带账号、接入端口、ONU SN）', en: 'update ticket T20261124-0012 address <new address> (address, broadband account, access port, ONU SN)' } }],
  async run({ lang, ticketId, field, value }, tools) {
    // A malformed value is refused before the ticket system is touched.
    valid(updateTicketFieldsInput, { ticketId, fields: { [field]: value }, expected: {} });
    const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId }), getTicketOutput);
    const readAt = new Date().toISOString();
    if (ticket[field] === value.trim()) return answered(updateTexts.unchanged(lang, ticket.id, field));
    return { kind: 'propose', proposal: ticketFieldsProposal(lang, ticket, { [field]: value }, { lookedUp: false, readAt }), unresolved: [] };
  },
});
