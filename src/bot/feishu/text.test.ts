import { describe, expect, it } from 'vitest';
import { splitText } from './text.js';
import { RateQueue } from './send-queue.js';
import { parseConversation, replyConversation, userConversation } from './conversation.js';

describe('long answers', () => {
  it('keeps short text whole and splits long text on line breaks, losing nothing', () => {
    expect(splitText('短消息')).toEqual(['短消息']);
    const lines = Array.from({ length: 400 }, (_, i) => `第 ${i} 行 line ${i}`);
    const text = lines.join('\n');
    const parts = splitText(text, 1000);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect([...p].length).toBeLessThanOrEqual(1000);
    expect(parts.join('\n')).toBe(text);
  });

  it('cuts a single over-long line by characters, not bytes', () => {
    const text = '端'.repeat(2500);
    const parts = splitText(text, 1000);
    expect(parts.map((p) => [...p].length)).toEqual([1000, 1000, 500]);
    expect(parts.join('')).toBe(text);
  });
});

describe('per-chat send queue', () => {
  it('starts at most 5 sends per second in one chat, in order, without holding up other chats', async () => {
    const q = new RateQueue({ limit: 5, windowMs: 1000 });
    const started: { key: string; i: number; at: number }[] = [];
    const t0 = Date.now();
    const jobs = [
      ...Array.from({ length: 12 }, (_, i) => q.run('chat:a', async () => started.push({ key: 'a', i, at: Date.now() - t0 }))),
      q.run('chat:b', async () => started.push({ key: 'b', i: 0, at: Date.now() - t0 })),
    ];
    await Promise.all(jobs);
    const a = started.filter((s) => s.key === 'a');
    expect(a.map((s) => s.i)).toEqual([...Array(12).keys()]);
    for (let i = 5; i < a.length; i++) expect(a[i]!.at - a[i - 5]!.at).toBeGreaterThanOrEqual(1000);
    expect(a[11]!.at).toBeGreaterThanOrEqual(2000);
    expect(started.find((s) => s.key === 'b')!.at).toBeLessThan(200);
  });

  it('keeps going after a failed send', async () => {
    const q = new RateQueue();
    await expect(q.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(q.run('k', async () => 'ok')).resolves.toBe('ok');
  });
});

describe('conversation ids', () => {
  it('round-trips chats, p2p users and replies', () => {
    expect(parseConversation('chat:oc_1')).toEqual({ kind: 'chat', chatId: 'oc_1' });
    expect(parseConversation('oc_1')).toEqual({ kind: 'chat', chatId: 'oc_1' });
    expect(parseConversation(userConversation('ou_carol'))).toEqual({ kind: 'user', openId: 'ou_carol' });
    expect(parseConversation('ou_carol')).toEqual({ kind: 'user', openId: 'ou_carol' });
    expect(parseConversation(replyConversation('oc_1', 'om_9', true))).toEqual({ kind: 'chat', chatId: 'oc_1', replyTo: 'om_9', thread: true });
    expect(parseConversation(replyConversation('oc_1', 'om_9', false))).toEqual({ kind: 'chat', chatId: 'oc_1', replyTo: 'om_9' });
    expect(() => parseConversation('console-bob')).toThrow(/not a Feishu conversation/);
    expect(() => parseConversation('chat:oc_1/../x')).toThrow();
  });
});
