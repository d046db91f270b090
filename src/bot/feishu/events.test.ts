import { describe, expect, it } from 'vitest';
import { cardActionSchema, mentionsBot, messageReceiveSchema, messageText, readMessage, type MessageReceiveEvent } from './events.js';

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

  it('takes absent, null and empty ids as not given (user_id without the user-id permission)', () => {
    const e = messageReceiveSchema.parse({
      event_id: null,
      sender: { sender_id: { open_id: 'ou_bob', union_id: null, user_id: null }, sender_type: null },
      message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: null, message_type: 'text', content: '{"text":"hi"}', root_id: null, mentions: null },
    });
    expect(e.sender).toEqual({ sender_id: { open_id: 'ou_bob', union_id: undefined, user_id: undefined }, sender_type: 'user' });
    expect(e.message.chat_type).toBe('group');
    expect(e.message.mentions).toEqual([]);
    expect(messageReceiveSchema.parse({ message: { message_id: 'om_1', chat_id: 'oc_1', message_type: 'text', content: '{"text":"x"}' } }).sender.sender_id).toEqual({});
    const click = cardActionSchema.parse({ operator: { open_id: 'ou_bob', user_id: null }, action: { value: { approvalId: 'a' }, name: 'approve', form_value: null }, context: null });
    expect(click.context).toEqual({});
    // What routing needs stays required: without a chat there is nobody to answer.
    expect(messageReceiveSchema.safeParse({ message: { message_id: 'om_1', chat_id: null } }).success).toBe(false);
    expect(messageReceiveSchema.safeParse({ message: { message_id: 'om_1', chat_id: 'oc_1\u0000' } }).success).toBe(false);
  });

  it('says why a message cannot be read', () => {
    expect(readMessage(msg({ message_type: 'image', content: '{"image_key":"img_1"}' }))).toEqual({ reason: 'unsupported_type' });
    for (const type of ['file', 'sticker', 'audio', 'merge_forward', 'a_type_invented_tomorrow']) expect(readMessage(msg({ message_type: type }))).toEqual({ reason: 'unsupported_type' });
    expect(readMessage(msg({ content: 'not json' }))).toEqual({ reason: 'malformed_content' });
    expect(readMessage(msg({ content: 42 }))).toEqual({ reason: 'malformed_content' });
    expect(readMessage(msg({ content: '{"text":7}' }))).toEqual({ reason: 'malformed_content' });
    expect(readMessage(msg({ content: '{"text":" @_user_1 "}' }))).toEqual({ reason: 'empty' });
    expect(readMessage(msg({ message_type: undefined }))).toEqual({ reason: 'malformed_event' });
    const odd = { content: [null, 'x', [null, 7, { tag: 'img' }, { tag: 'text', text: null }, { tag: 'text', text: 'help' }], [{ tag: 'emotion', emoji_type: 'OK' }]] };
    expect(readMessage(msg({ message_type: 'post', content: JSON.stringify(odd) }))).toEqual({ text: 'help' });
    expect(readMessage(msg({ message_type: 'post', content: JSON.stringify({ content: [[{ tag: 'img', image_key: 'k' }]] }) }))).toEqual({ reason: 'unsupported_type' });
    expect(readMessage(msg({ message_type: 'post', content: JSON.stringify({ zh_cn: { title: null } }) }))).toEqual({ reason: 'malformed_content' });
  });
});
