/**
 * Approve a kind of request in bulk: "批量批准 补全工单" / "approve all ticket updates". The
 * sender (the agent binds FlowTools.requests to the verified sender) gets ONE card listing every
 * pending request of that kind waiting for them that needs a single approval and no fresh sign-in,
 * oldest first, capped by the policy; the click decides each through the single decision path
 * (agents/approvals/bulk.ts). Only kinds the policy opts in (approvals.tools.<tool>.bulk).
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { BULK_KINDS, bulkTexts } from './texts.js';

const BULK_CMD = /^\/?(?:请|帮我)?\s*(?:批量批准|批量审批|全部批准|一键批准|approve\s+all|bulk\s+approve)(?:\s*(?:所有|全部|all|the|my))?\s*/i;

/** The tool a kind's words name, or the tool's own name. */
export function kindOf(words: string): string | undefined {
  const w = words.replace(/[。.!！?？]$/, '').replace(/(的)?(申请|请求)$/, '').trim().toLowerCase();
  if (!w) return undefined;
  return BULK_KINDS.find((k) => k.tool.toLowerCase() === w || k.zh.includes(w) || k.en.includes(w))?.tool;
}

export const approvalsBulk = defineSkill({
  flow: 'approvals.bulk',
  plan: z.object({ flow: z.literal('approvals.bulk'), lang: langSchema, tool: z.string() }),
  commands: [
    {
      // Before the ticket grammar: "批量批准 补全工单" names a kind, not a ticket to complete.
      priority: 99,
      words: 'own',
      parse: ({ text }) => {
        const m = BULK_CMD.exec(text);
        if (!m) return undefined;
        const lang = /[\u3400-\u9fff]/.test(m[0]) ? 'zh' : 'en';
        const tool = kindOf(text.slice(m[0].length));
        if (!tool) return clarify(lang, bulkTexts.whichKind);
        return { flow: 'approvals.bulk' as const, lang, tool };
      },
    },
  ],
  help: [{ section: 'read', order: 92, text: { zh: '批量批准 工单备注（一张卡片批准多项同类低风险申请）', en: 'approve all ticket notes (one card for many low-risk requests of a kind)' } }],
  async run(plan, tools) {
    const lang = plan.lang;
    if (!tools.requests?.bulk) return answered(bulkTexts.unavailable[lang]);
    return answered(bulkTexts.result(lang, await tools.requests.bulk(plan.tool)));
  },
});
