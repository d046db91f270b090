/**
 * What waits for me and what became of my requests, in chat: "待我审批" / "my approvals" lists the
 * pending approvals the sender may decide, riskiest (most approvers needed) and oldest first,
 * capped; "我的申请" / "my requests" lists the sender's own requests with their state. Read from
 * the approvals through FlowTools.requests (the agent binds it to the verified sender).
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { answered, defineSkill } from '../contract.js';
import { statusTexts } from './texts.js';
import { bulkCommand } from '../approvals-bulk/texts.js';

/** At most this many lines in one reply: a chat message, not a report. */
export const STATUS_LIMIT = 10;

const WAITING = /^\/?(?:(?:请|帮我)?(?:查看|查|看看|列出)?\s*)?(?:待我审批(?:的)?(?:申请)?|我的待审批|待审批|等我审批(?:的)?|my approvals|approvals for me|waiting for me|pending approvals|what(?:'s| is) waiting for me\??)$/i;
const MINE = /^\/?(?:(?:请|帮我)?(?:查看|查|看看|列出)?\s*)?(?:我的申请|我提交的申请|我的请求|申请状态|my requests|my request status|requests status)$/i;

export const requestsStatus = defineSkill({
  flow: 'requests.status',
  plan: z.object({ flow: z.literal('requests.status'), lang: langSchema, which: z.enum(['waiting', 'mine']) }),
  commands: [
    {
      // The whole message is the command (a note that mentions 我的申请 is a note).
      priority: 150,
      // The rule takes only the whole message (the command and an id, or the command alone).
      words: 'own',
      parse: ({ text, lang }) => {
        const bare = text.replace(/[。.!！?？]$/, '').trim();
        if (WAITING.test(bare)) return { flow: 'requests.status' as const, lang, which: 'waiting' as const };
        if (MINE.test(bare)) return { flow: 'requests.status' as const, lang, which: 'mine' as const };
        return undefined;
      },
    },
  ],
  help: [
    { section: 'read', order: 90, text: { zh: '待我审批 / 我的申请', en: 'my approvals / my requests' } },
  ],
  async run(plan, tools) {
    const lang = plan.lang;
    const desk = tools.requests;
    if (!desk) return answered(statusTexts.unavailable[lang]);
    if (plan.which === 'waiting') {
      const { items, total, totalAtLeast = false, bulkKinds = [] } = await desk.waitingForMe(STATUS_LIMIT);
      if (total === 0 && items.length === 0) return answered(statusTexts.waitingNone[lang]);
      const text = [statusTexts.waitingHead(lang, items.length, total, totalAtLeast), ...items.map((r, i) => `${i + 1}. ${statusTexts.waitingLine(lang, r)}`)];
      if (total > items.length) text.push(statusTexts.moreInConsole(lang, total - items.length, totalAtLeast, 'waiting'));
      // Kinds the policy lets this approver approve together: offered as a button where the channel has them.
      const suggestions = bulkKinds.map((k) => bulkCommand(lang, k.tool));
      if (suggestions.length) text.push(statusTexts.bulkHint(lang, bulkKinds.map((k, i) => ({ command: suggestions[i]!, count: k.count }))));
      return { kind: 'reply', text: text.join('\n'), status: 'succeeded', ...(suggestions.length ? { suggestions } : {}) };
    }
    const { items: mine, total, totalAtLeast = false } = await desk.mine(STATUS_LIMIT);
    if (mine.length === 0) return answered(statusTexts.mineNone[lang]);
    const lines = [statusTexts.mineHead(lang, mine.length, total, totalAtLeast), ...mine.map((r, i) => `${i + 1}. ${statusTexts.mineLine(lang, r)}`)];
    if (total > mine.length) lines.push(statusTexts.moreInConsole(lang, total - mine.length, totalAtLeast, 'mine'));
    if (mine.some((r) => r.status === 'pending')) lines.push(statusTexts.withdrawHint(lang));
    return answered(lines.join('\n'));
  },
});
