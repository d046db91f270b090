/**
 * Long answers are split into several messages: a chat bubble of a few thousand characters is
 * already hard to read on a phone, and Feishu refuses text content over 150 KB.
 */
export const MAX_MESSAGE_CHARS = 3000;

/** Split on line breaks where possible, inside a line only when one line alone is too long. */
export function splitText(text: string, max = MAX_MESSAGE_CHARS): string[] {
  const chars = [...text];
  if (chars.length <= max) return [text];
  const parts: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const joined = current.join('').replace(/\n+$/, '');
    if (joined.trim()) parts.push(joined);
    current = [];
  };
  for (const line of text.split(/(?<=\n)/)) {
    const lineChars = [...line];
    if (current.length + lineChars.length <= max) {
      current.push(...lineChars);
      continue;
    }
    flush();
    for (let i = 0; i < lineChars.length; i += max) {
      const piece = lineChars.slice(i, i + max);
      if (piece.length === max) {
        current = piece;
        flush();
      } else {
        current = piece;
      }
    }
  }
  flush();
  return parts;
}
