/**
 * A tokenizer approximation, good enough for budgets and the benchmark without shipping a BPE
 * table: a CJK character is about one token in cl100k/o200k-style vocabularies, other text about
 * four characters per token. It over-counts English JSON slightly, which is the safe side for a
 * budget. Real usage from the provider (response.usage) is what gets recorded when it is present.
 */
const CJK = /[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]/g;

export function approxTokens(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = text.length - cjk;
  return cjk + Math.ceil(rest / 4);
}

/** Tokens of a JSON-serialisable value as it would be sent. */
export function approxJsonTokens(value: unknown): number {
  return approxTokens(JSON.stringify(value));
}
