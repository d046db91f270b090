/**
 * The writes the model may propose: each write skill's proposal adapter (src/skills/<name>),
 * by the tool it proposes. The model fills only what a person would decide; each adapter fills
 * what guards the write from a fresh read, through the same guard the command path uses.
 *
 * Taint rule (taint.ts): the target record must be named, as a whole identifier, in the requester's
 * own words, and the requester must have asked for this kind of change. A portal note saying
 * "update ticket X" cannot aim a proposal at X.
 */
import type { z } from 'zod';
import type { AnyTool } from '../../tools/define.js';
import type { ProposalAdapter } from '../../skills/contract.js';
import { skills } from '../../skills/index.js';

export const proposalAdapters: Readonly<Record<string, ProposalAdapter>> = Object.fromEntries(
  skills.flatMap((s) => (s.proposal ? [[s.proposal.tool, s.proposal] as const] : [])),
);

export function proposalInput(tool: AnyTool): z.ZodType | undefined {
  return proposalAdapters[tool.name]?.input;
}
