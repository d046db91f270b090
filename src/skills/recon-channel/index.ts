/** Channel versus billing reconciliation for one period, with the evidence of each difference: "对账 CH001 2026-10". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { compareChannelBillingInput, compareChannelBillingOutput } from '../../tools/channel/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { CHANNEL, periodsIn, words } from '../grammar.js';
import { reconQuestions, reconReply } from './texts.js';

const RECON_WORDS = /(对账|对一下|对下|对个账|核对|结算|reconcil[a-z]*|recon(?![a-z]))/i;
const VOCABULARY = words(
  '对账', '对一下账', '对下账', '对个账', '对一下', '对下', '对', '账', '核对', '结算', '渠道', '账期', '月份', '月', '上个月', '上月', '本月', '这个月', '和', '计费', '佣金', '差异',
  'reconcile', 'reconciliation', 'recon', 'channel', 'period', 'for', 'last month', 'this month', 'against', 'billing', 'vs', 'with',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sept?', 'oct', 'nov', 'dec',
);

export const reconChannel = defineSkill({
  flow: 'recon.channel',
  plan: z.object({ flow: z.literal('recon.channel'), lang: langSchema, channelId: z.string(), period: z.string() }),
  commands: [
    {
      priority: 260,
      words: VOCABULARY,
      parse: ({ text, lang, now }) => {
        if (!RECON_WORDS.test(text) && !text.toLowerCase().startsWith('/recon')) return undefined;
        const channel = CHANNEL.exec(text)?.[1]?.toUpperCase();
        const { periods, bad } = periodsIn(text, now);
        if (!channel) return clarify(lang, reconQuestions.channel);
        if (bad || periods.length !== 1) return clarify(lang, reconQuestions.period);
        return { flow: 'recon.channel' as const, lang, channelId: channel, period: periods[0]! };
      },
    },
  ],
  uses: { tool: 'recon.compareChannelBilling', effect: 'read' },
  help: [
    {
      section: 'read',
      order: 11,
      text: { zh: '对账 CH001 2026-10 — 渠道与计费对账，列出差异与证据', en: 'reconcile CH001 2026-10 — channel vs billing reconciliation with the evidence of each difference' },
    },
  ],
  async run(plan, tools) {
    const input = valid(compareChannelBillingInput, { channelId: plan.channelId, period: plan.period });
    const res = await tools.call('recon.compareChannelBilling', input, compareChannelBillingOutput);
    return answered(reconReply(plan.lang, res));
  },
});
