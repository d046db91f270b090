/**
 * A 32-byte secret written as text: 64 hex characters, or base64 (standard or url-safe). One
 * reading for every key the configuration takes (audit key, RPA session key, session secret), so
 * they all accept the same forms and none echoes its value.
 */
export function parseKey32(text: string): Buffer | undefined {
  const v = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(v)) {
    const buf = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === 32) return buf;
  }
  return undefined;
}

export const isKey32 = (text: string): boolean => parseKey32(text) !== undefined;
