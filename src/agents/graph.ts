/**
 * The LangGraph graph of the closed loop:
 *
 *   understand -> gather -> (reply) ------------------------------------------> finish
 *                        \-> propose -> await_decision -> execute -> finish
 *
 * Side effects never sit before interrupt() in a node: a resumed node runs again from its first
 * line, so await_decision holds nothing but the interrupt, and everything it waits for is done by
 * propose (before) and execute (after).
 */
import { Annotation, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Lang } from '../chat/lang.js';
import type { Plan } from '../skills/index.js';
import type { WriteProposal } from '../skills/contract.js';
import type { RunStatus } from '../store/runs-repo.js';
import type { ChannelName } from '../chat/channel.js';

const last = <T>(initial: T) => Annotation<T>({ reducer: (_prev: T, next: T) => next, default: () => initial });

export const AgentState = Annotation.Root({
  runId: Annotation<string>,
  channel: Annotation<ChannelName>,
  conversationId: Annotation<string>,
  requesterId: Annotation<string>,
  text: Annotation<string>,
  lang: last<Lang>('zh'),
  plan: last<Plan | null>(null),
  /** What to tell the requester when the run ends. */
  reply: last<string | null>(null),
  /** Full commands offered with a not-understood reply (only those the requester's role may use). */
  suggestions: last<string[]>([]),
  /** Set once the run has an outcome; finish records it. */
  status: last<RunStatus | null>(null),
  proposal: last<WriteProposal | null>(null),
  /** What the flow looked for and could not find, in the request's language (named in the proposal message). */
  unresolved: last<string[]>([]),
  approvalId: last<string | null>(null),
});
export type AgentStateValue = typeof AgentState.State;
export type AgentStateUpdate = typeof AgentState.Update;

/** What the graph's nodes do; implemented by the Agent, which hands each to the turn (turn.ts) or the approval lifecycle (approvals/lifecycle.ts). */
export interface AgentNodes {
  understand(s: AgentStateValue): Promise<AgentStateUpdate>;
  gather(s: AgentStateValue): Promise<AgentStateUpdate>;
  propose(s: AgentStateValue): Promise<AgentStateUpdate>;
  execute(s: AgentStateValue): Promise<AgentStateUpdate>;
  finish(s: AgentStateValue): Promise<AgentStateUpdate>;
}

export interface DecisionSignal {
  approvalId: string;
  status: 'approved' | 'rejected' | 'expired' | 'withdrawn';
}

export function buildGraph(nodes: AgentNodes, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(AgentState)
    .addNode('understand', (s) => nodes.understand(s))
    .addNode('gather', (s) => nodes.gather(s))
    .addNode('propose', (s) => nodes.propose(s))
    .addNode('await_decision', (s) => {
      // Nothing but the interrupt here: this node re-runs from the top on resume.
      interrupt<{ approvalId: string | null }, DecisionSignal>({ approvalId: s.approvalId });
      return {};
    })
    .addNode('execute', (s) => nodes.execute(s))
    .addNode('finish', (s) => nodes.finish(s))
    .addEdge(START, 'understand')
    .addEdge('understand', 'gather')
    .addConditionalEdges('gather', (s) => (s.proposal && !s.status ? 'propose' : 'finish'), ['propose', 'finish'])
    .addConditionalEdges('propose', (s) => (s.approvalId && !s.status ? 'await_decision' : 'finish'), ['await_decision', 'finish'])
    .addEdge('await_decision', 'execute')
    // A resume that finds the approval still pending (a spurious wake-up) waits again.
    .addConditionalEdges('execute', (s) => (s.status ? 'finish' : 'await_decision'), ['await_decision', 'finish'])
    .addEdge('finish', END)
    .compile({ checkpointer });
}

export type AgentGraph = ReturnType<typeof buildGraph>;
