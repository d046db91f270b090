/**
 * Withdraw my own pending request: "撤回 1a2b3c4d" / "withdraw 1a2b3c4d" (the request id the
 * proposal message and "我的申请" show, or the whole approval id). Only the requester: the agent's
 * FlowTools.requests is bound to the verified sender and finds only their own approvals. The
 * approval becomes 'withdrawn' in one conditional update against any decision, every card copy is
 * redrawn without buttons, and the waiting run ends "withdrawn".
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { anchored, keywordLang } from '../grammar.js';
import { withdrawTexts } from './texts.js';

const WITHDRAW_CMD = anchored(String.raw`撤回申请|撤销申请|撤回|撤销|withdraw(?:\s+(?:my\s+)?request)?|cancel\s+(?:my\s+)?request`);
const ID = /^#?([0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?)$/i;

export const requestWithdraw = defineSkill({
  flow: 'request.withdraw',
  plan: z.object({ flow: z.literal('request.withdraw'), lang: langSchema, id: z.string() }),
  commands: [
    {
      priority: 101,
      // The rule takes only the whole message (the command and an id, or the command alone).
      words: 'own',
      parse: ({ text }) => {
        if (!WITHDRAW_CMD.test(text)) return undefined;
        const lang = keywordLang(WITHDRAW_CMD, text);
        const rest = text.replace(WITHDRAW_CMD, '').trim();
        const id = ID.exec(rest)?.[1];
        if (!id) return clarify(lang, withdrawTexts.whichRequest);
        return { flow: 'request.withdraw' as const, lang, id: id.toLowerCase() };
      },
    },
  ],
  help: [{ section: 'read', order: 91, text: { zh: '撤回 <申请编号>（撤回自己待审批的申请）', en: 'withdraw <request id> (your own pending request)' } }],
  async run(plan, tools) {
    const lang = plan.lang;
    if (!tools.requests) return answered(withdrawTexts.unavailable[lang]);
    const r = await tools.requests.withdraw(plan.id);
    switch (r.kind) {
      case 'withdrawn':
        return answered(withdrawTexts.done(lang, r.request));
      case 'not_found':
        return { kind: 'reply', text: withdrawTexts.notFound(lang, plan.id.slice(0, 8)), status: 'not_understood' };
      case 'ambiguous':
        return { kind: 'reply', text: withdrawTexts.ambiguous(lang, r.ids), status: 'not_understood' };
      case 'not_pending':
        return answered(withdrawTexts.notPending(lang, r.request));
    }
  },
});
