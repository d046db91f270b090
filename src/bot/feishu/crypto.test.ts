import { describe, expect, it } from 'vitest';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import { decryptFeishu, feishuSignature, signatureMatches } from './crypto.js';
import { encryptLikeFeishu } from '../../../tests/helpers/feishu-open-api.js';

describe('Feishu webhook crypto', () => {
  it('decrypts what Feishu encrypts, as the SDK does', () => {
    const plain = JSON.stringify({ schema: '2.0', header: { event_id: 'e1' }, event: { text: '查端口 OLT-HZ-01 0/1/3' } });
    const encrypted = encryptLikeFeishu(plain, 'my-key');
    expect(decryptFeishu(encrypted, 'my-key')).toBe(plain);
    expect(new AESCipher('my-key').decrypt(encrypted)).toBe(plain);
  });

  it('refuses a payload encrypted with another key or cut short', () => {
    const encrypted = encryptLikeFeishu('{"a":1}', 'other-key');
    expect(() => JSON.parse(decryptFeishu(encrypted, 'my-key'))).toThrow();
    expect(() => decryptFeishu(Buffer.alloc(20).toString('base64'), 'my-key')).toThrow(/invalid length/);
  });

  it('signs timestamp + nonce + key + raw bytes, and any change breaks it', () => {
    const raw = Buffer.from('{"encrypt":"abc"}');
    const sig = feishuSignature('1700000000', 'n1', 'k', raw);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureMatches(sig, sig)).toBe(true);
    expect(signatureMatches(sig, sig.toUpperCase())).toBe(true);
    expect(signatureMatches(feishuSignature('1700000000', 'n1', 'k', Buffer.from('{"encrypt": "abc"}')), sig)).toBe(false);
    expect(signatureMatches(feishuSignature('1700000001', 'n1', 'k', raw), sig)).toBe(false);
    expect(signatureMatches(feishuSignature('1700000000', 'n1', 'k2', raw), sig)).toBe(false);
    expect(signatureMatches(sig, sig.slice(0, 63))).toBe(false);
    expect(signatureMatches(sig, '')).toBe(false);
  });
});
