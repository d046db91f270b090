/** Progress and the summary of a batch number-status query, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { listOf, t, type Text } from '../../chat/locale.js';
import { maskMobile } from '../../policies/masking.js';
import type { getNumberStatusOutput } from '../../tools/crm/schemas.js';

/** Most numbers one batch query takes. */
export const BATCH_MAX = 500;
/** Numbers needing attention listed in one reply; the rest are counted. */
export const BATCH_LISTED = 50;

export type NumberStatus = z.infer<typeof getNumberStatusOutput>['status'];
export type BatchItem = { mobile: string; status: NumberStatus } | { mobile: string; status: null; reason: string };
const numberStatusNames: Record<NumberStatus, Text> = {
  ACTIVE: { zh: '正常', en: 'active' },
  SUSPENDED: { zh: '停机', en: 'suspended' },
  ARREARS: { zh: '欠费', en: 'in arrears' },
  CLOSED: { zh: '销户', en: 'closed' },
  UNASSIGNED: { zh: '空号', en: 'unassigned' },
};

/** Something typed that is not a valid number: keep the first 3 and last 4 of long digit runs. */
export function maskLoose(token: string): string {
  const digits = token.replace(/\D/g, '');
  if (digits.length < 7) return token;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

export function batchProgress(lang: Lang, done: number, total: number): string {
  return t(lang, { zh: `批量查询号码状态：已完成 ${done}/${total}…`, en: `Batch status: ${done}/${total} done…` });
}

export function batchReply(lang: Lang, items: BatchItem[], invalid: string[], duplicates: number): string {
  const statuses = Object.keys(numberStatusNames) as NumberStatus[];
  const failed = items.filter((i) => i.status === null);
  const counts = statuses.map((s) => [s, items.filter((i) => i.status === s).length] as const).filter(([, n]) => n > 0);
  const parts = counts.map(([s, n]) => `${numberStatusNames[s][lang]} ${n}`);
  if (failed.length) parts.push(t(lang, { zh: `查询失败 ${failed.length}`, en: `failed ${failed.length}` }));
  const lines = [
    t(lang, {
      zh: `批量查询完成：共 ${items.length} 个号码，${parts.join('，')}。`,
      en: `Batch status done: ${items.length} number${items.length === 1 ? '' : 's'}, ${parts.join(', ')}.`,
    }),
  ];
  if (duplicates > 0) lines.push(t(lang, { zh: `（已去除重复号码 ${duplicates} 个）`, en: `(${duplicates} duplicate${duplicates === 1 ? '' : 's'} removed)` }));
  if (invalid.length > 0) {
    const shownInvalid = invalid.slice(0, 20).map(maskLoose);
    const rest = invalid.length - shownInvalid.length;
    lines.push(
      t(lang, {
        zh: `无效号码 ${invalid.length} 个，未查询：${listOf('zh', shownInvalid)}${rest > 0 ? ` 等` : ''}`,
        en: `${invalid.length} invalid number${invalid.length === 1 ? '' : 's'} not queried: ${listOf('en', shownInvalid)}${rest > 0 ? ` and ${rest} more` : ''}`,
      }),
    );
  }
  const attention = items.filter((i) => i.status !== 'ACTIVE');
  if (attention.length > 0) {
    lines.push(t(lang, { zh: '需关注的号码：', en: 'Numbers needing attention:' }));
    for (const i of attention.slice(0, BATCH_LISTED)) {
      lines.push(
        i.status === null
          ? t(lang, { zh: `• ${maskMobile(i.mobile)} 查询失败：${i.reason}`, en: `• ${maskMobile(i.mobile)} failed: ${i.reason}` })
          : `• ${maskMobile(i.mobile)} ${numberStatusNames[i.status][lang]} (${i.status})`,
      );
    }
    if (attention.length > BATCH_LISTED) {
      lines.push(t(lang, { zh: `……以及另外 ${attention.length - BATCH_LISTED} 个。`, en: `…and ${attention.length - BATCH_LISTED} more.` }));
    }
  }
  return lines.join('\n');
}

export const batchQuestions = {
  numbers: {
    zh: `请在命令后附上手机号（空格、逗号或换行分隔，最多 ${BATCH_MAX} 个），例如：批量查询号码状态 <手机号> <手机号> …`,
    en: `Add the mobile numbers after the command (separated by spaces, commas or new lines, at most ${BATCH_MAX}), e.g. "batch status <mobile> <mobile> …".`,
  },
  noneValid: {
    zh: '没有找到有效的 11 位手机号，请检查后重发，例如：批量查询号码状态 <手机号> <手机号> …',
    en: 'None of those is a valid 11-digit mobile number; please check them, e.g. "batch status <mobile> <mobile> …".',
  },
  tooMany: (n: number): Text => ({
    zh: `一次最多查询 ${BATCH_MAX} 个号码，你提供了 ${n} 个（已去重），请分批发送。`,
    en: `At most ${BATCH_MAX} numbers at a time; you gave ${n} (after removing duplicates). Please split them up.`,
  }),
};
