/** A channel-versus-billing reconciliation and the evidence of each difference, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { localTime, regionName, t, type Text } from '../../chat/locale.js';
import type { compareChannelBillingOutput } from '../../tools/channel/schemas.js';
import { yuan } from '../texts.js';

type Recon = z.infer<typeof compareChannelBillingOutput>;
const reconKinds: Record<Recon['exceptions'][number]['kind'], Text> = {
  missing_in_billing: { zh: '计费系统缺失', en: 'Missing in billing' },
  missing_in_channel: { zh: '渠道系统缺失', en: 'Missing in channel' },
  amount_mismatch: { zh: '金额不一致', en: 'Amount mismatch' },
  duplicate: { zh: '重复记录', en: 'Duplicate' },
};
const sourceNames: Record<'channel' | 'billing', Text> = { channel: { zh: '渠道系统', en: 'channel' }, billing: { zh: 'BOSS 计费', en: 'BOSS billing' } };
/** Exception rows shown in one reply; the rest are counted. */
export const RECON_SHOWN = 20;

export function reconReply(lang: Lang, r: Recon): string {
  const lines = [
    t(lang, {
      zh: `渠道 ${r.channelId} ${r.period} 对账（${regionName('zh', r.region)}，数据获取于 ${localTime(r.fetchedAt)}）`,
      en: `Reconciliation ${r.channelId} ${r.period} (${regionName('en', r.region)}, fetched ${localTime(r.fetchedAt)})`,
    }),
    t(lang, {
      zh: `• 渠道记录 ${r.channelTotals.count} 笔 ${yuan('zh', r.channelTotals.amount)}；计费记录 ${r.billingTotals.count} 笔 ${yuan('zh', r.billingTotals.amount)}`,
      en: `• Channel ${r.channelTotals.count} records ${yuan('en', r.channelTotals.amount)}; billing ${r.billingTotals.count} records ${yuan('en', r.billingTotals.amount)}`,
    }),
    t(lang, { zh: `• 一致 ${r.matched.count} 笔 ${yuan('zh', r.matched.amount)}`, en: `• Matched ${r.matched.count} records ${yuan('en', r.matched.amount)}` }),
  ];
  if (r.exceptions.length === 0) {
    lines.push(t(lang, { zh: '无差异：两边记录全部一致。', en: 'No differences: every record matches.' }));
    return lines.join('\n');
  }
  const kinds = Object.keys(reconKinds) as (keyof typeof reconKinds)[];
  const counts = kinds.map((k) => [k, r.exceptions.filter((e) => e.kind === k).length] as const).filter(([, n]) => n > 0);
  lines.push(
    t(lang, {
      zh: `• 差异 ${r.exceptions.length} 笔：${counts.map(([k, n]) => `${reconKinds[k].zh} ${n}`).join('，')}`,
      en: `• ${r.exceptions.length} difference${r.exceptions.length === 1 ? '' : 's'}: ${counts.map(([k, n]) => `${reconKinds[k].en} ${n}`).join(', ')}`,
    }),
  );
  let shown = 0;
  for (const [kind, n] of counts) {
    if (shown >= RECON_SHOWN) break;
    lines.push(t(lang, { zh: `${reconKinds[kind].zh}（${n}）：`, en: `${reconKinds[kind].en} (${n}):` }));
    for (const e of r.exceptions.filter((x) => x.kind === kind)) {
      if (shown >= RECON_SHOWN) break;
      shown++;
      // One source per record: a record's evidence rows (one per field) share system, id and time.
      const records = [...new Map(e.evidence.map((ev) => [`${ev.system}:${ev.recordId}`, ev])).values()];
      const sources = records
        .map((ev) => {
          const at = localTime(ev.fetchedAt);
          return t(lang, { zh: `${sourceNames[ev.system].zh} ${ev.recordId} 于 ${at}`, en: `${sourceNames[ev.system].en} ${ev.recordId} at ${at}` });
        })
        .join(lang === 'zh' ? '；' : '; ');
      lines.push(
        t(lang, {
          zh: `• ${e.orderId} ${e.field}：渠道 ${e.channelValue ?? '—'} / 计费 ${e.billingValue ?? '—'}（来源：${sources}）`,
          en: `• ${e.orderId} ${e.field}: channel ${e.channelValue ?? '—'} / billing ${e.billingValue ?? '—'} (source: ${sources})`,
        }),
      );
    }
  }
  const more = r.exceptions.length - shown;
  if (more > 0) lines.push(t(lang, { zh: `……以及另外 ${more} 条差异。`, en: `…and ${more} more.` }));
  return lines.join('\n');
}

export const reconQuestions = {
  channel: { zh: '请告诉我渠道编号和账期，例如：对账 CH001 2026-10', en: 'Which channel and period? e.g. "reconcile CH001 2026-10".' },
  period: { zh: '请告诉我一个账期（年-月），例如：对账 CH001 2026-10', en: 'Which period (one year-month)? e.g. "reconcile CH001 2026-10".' },
} satisfies Record<string, Text>;
