/**
 * The one way out: every message the agent sends leaves through Outbound.send, which masks its
 * text. While a turn is handled, the refs sent for its run are collected, so the console's
 * ?wait=1 can answer with what the turn said.
 */
import type { Channel, ChannelName, MessageRef, OutboundMessage } from '../chat/channel.js';
import { maskText } from '../policies/masking.js';

export interface ChannelDirectory {
  get(name: ChannelName): Channel | undefined;
}

/** Send through a channel; a runId files the ref under that run's turn, if one is collecting. */
export type Send = (channel: ChannelName, conversationId: string, message: OutboundMessage, runId?: string) => Promise<MessageRef | undefined>;

export class Outbound {
  /** Message refs sent per run while a turn is being handled. */
  private readonly sentByRun = new Map<string, MessageRef[]>();

  constructor(
    private readonly channels: ChannelDirectory,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void,
  ) {}

  readonly send: Send = async (channelName, conversationId, message, runId) => {
    const channel = this.channels.get(channelName);
    if (!channel) {
      this.log('warn', 'no channel to send to', { channel: channelName });
      return undefined;
    }
    // A suggestion that would show personal data is not a button (the text lists it masked).
    const suggestions = message.kind === 'text' ? message.suggestions?.filter((s) => maskText(s) === s) : undefined;
    const masked: OutboundMessage = message.kind === 'text' ? { kind: 'text', text: maskText(message.text), ...(suggestions?.length ? { suggestions } : {}) } : message;
    const ref = await channel.send(conversationId, masked);
    if (runId) this.sentByRun.get(runId)?.push(ref);
    return ref;
  };

  /** Run fn and return what was sent for runId meanwhile. */
  async collect(runId: string, fn: () => Promise<void>): Promise<MessageRef[]> {
    this.sentByRun.set(runId, []);
    try {
      await fn();
      return this.sentByRun.get(runId) ?? [];
    } finally {
      this.sentByRun.delete(runId);
    }
  }
}
