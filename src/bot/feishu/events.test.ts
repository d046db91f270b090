import { describe, expect, it } from 'vitest';
import { mentionsBot, messageReceiveSchema, messageText, type MessageReceiveEvent } from './events.js';

function msg(partial: Partial<MessageReceiveEvent['message']>): MessageReceiveEvent['message'] {
  return messageReceiveSchema.parse({
    sender: { sender_id: { open_id: 'ou_bob' } },
    message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: 'group', message_type: 'text', content: '{"text":""}', ...partial },
  }).message;
}

describe('Feishu message text', () => {
  it('strips mention placeholders, longest first', () => {
    const m = msg({
      content: JSON.stringify({ text: '@_user_1  查端口 OLT-HZ-01 0/1/3 @_user_10' }),
      mentions: [
        { key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Switchboard' },
        { key: '@_user_10', id: { open_id: 'ou_x' }, name: 'X' },
      ],
    });
    expect(messageText(m)).toBe('查端口 OLT-HZ-01 0/1/3');
  });

  it('reads post (rich text) messages, with or without a locale wrapper', () => {
    const post = {
      title: '',
      content: [
        [{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: ' 补全工单 ' }, { tag: 'text', text: 'T20261124-0012' }],
        [{ tag: 'img', image_key: 'img_1' }],
      ],
    };
    expect(messageText(msg({ message_type: 'post', content: JSON.stringify(post) }))).toBe('补全工单 T20261124-0012');
    expect(messageText(msg({ message_type: 'post', content: JSON.stringify({ zh_cn: post }) }))).toBe('补全工单 T20261124-0012');
  });

  it('gives nothing for images, files and unreadable content', () => {
    expect(messageText(msg({ message_type: 'image', content: '{"image_key":"img_1"}' }))).toBeUndefined();
    expect(messageText(msg({ content: 'not json' }))).toBeUndefined();
  });

  it('answers in groups only when the bot itself is mentioned', () => {
    const other = msg({ mentions: [{ key: '@_user_1', id: { open_id: 'ou_carol' }, name: 'Carol' }] });
    const bot = msg({ mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Switchboard' }] });
    expect(mentionsBot(other, 'ou_bot')).toBe(false);
    expect(mentionsBot(bot, 'ou_bot')).toBe(true);
    expect(mentionsBot(msg({}), 'ou_bot')).toBe(false);
  });
});
