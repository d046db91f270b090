/** Blacklist and risk-list hits, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { localTime, t, type Text } from '../../chat/locale.js';
import type { checkBlacklistOutput } from '../../tools/risk/schemas.js';

const riskNames: Record<'low' | 'medium' | 'high', Text> = { low: { zh: '低', en: 'low' }, medium: { zh: '中', en: 'medium' }, high: { zh: '高', en: 'high' } };
const listNames: Record<string, Text> = {
  blacklist: { zh: '黑名单', en: 'blacklist' },
  fraud: { zh: '涉诈名单', en: 'fraud list' },
  arrears_risk: { zh: '欠费风险', en: 'arrears risk' },
  watch: { zh: '关注名单', en: 'watch list' },
};

export function blacklistReply(lang: Lang, subject: string, r: z.infer<typeof checkBlacklistOutput>): string {
  const risk = riskNames[r.riskLevel][lang];
  // The risk system answers in UTC ISO; people read operator-local time.
  const checkedAt = localTime(r.checkedAt);
  if (!r.listed || r.hits.length === 0) {
    return t(lang, {
      zh: `风险核查 ${subject}：未命中任何名单，风险等级 ${risk}（核查时间 ${checkedAt}）。`,
      en: `Risk check ${subject}: on no list, risk ${risk} (checked ${checkedAt}).`,
    });
  }
  const head = t(lang, {
    zh: `风险核查 ${subject}：命中 ${r.hits.length} 条名单，风险等级 ${risk}（核查时间 ${checkedAt}）：`,
    en: `Risk check ${subject}: ${r.hits.length} list hit${r.hits.length === 1 ? '' : 's'}, risk ${risk} (checked ${checkedAt}):`,
  });
  const rows = r.hits.map((h) =>
    t(lang, {
      zh: `• [${listNames[h.list]?.zh ?? h.list}] ${h.subject === 'mobile' ? '手机号' : '证件号'} ${h.value} — ${h.reason}（自 ${localTime(h.since)}，来源 ${h.source}）`,
      en: `• [${listNames[h.list]?.en ?? h.list}] ${h.subject === 'mobile' ? 'mobile' : 'ID'} ${h.value} — ${h.reason} (since ${localTime(h.since)}, source ${h.source})`,
    }),
  );
  return [head, ...rows].join('\n');
}

export const whichSubject: Text = {
  zh: '请告诉我要核查的手机号或身份证号，例如：黑名单 <手机号>',
  en: 'Which mobile or ID number should I check? e.g. "blacklist check <mobile>".',
};
