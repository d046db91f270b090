/**
 * Line status of many numbers at once: "批量查询号码状态 <手机号> …" (up to BATCH_MAX). Many reads
 * with a few in flight, progress about every 10 %; a failed item is reported with its reason and
 * does not fail the batch.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { systemName } from '../../chat/locale.js';
import { maskText } from '../../policies/masking.js';
import { runBatch } from '../../tools/batch.js';
import { BusinessError, isBusinessError, isSystemError } from '../../tools/errors.js';
import { getNumberStatusInput, getNumberStatusOutput } from '../../tools/crm/schemas.js';
import { isPolicyDenied } from '../denials.js';
import { InvalidInput, answered, clarify, defineSkill, valid } from '../contract.js';
import { whole, words } from '../grammar.js';
import { BATCH_MAX, batchProgress, batchQuestions, batchReply, type BatchItem } from './texts.js';

const BATCH_WORDS =
  /(批量查询号码状态|批量查号码状态|批量查询号码|批量号码状态|批量查号|(?:这些|这几个|以下|下面)?号码(?:的)?状态|(?:这些|这几个|以下|下面)号码|batch\s+(?:number\s+)?status|batch\s+(?:check|query|lookup)|numbers?\s+status|status\s+of\s+(?:these\s+|the\s+)?numbers|(?:check|look\s+up)\s+(?:these|the\s+following)\s+numbers|^\/batch(?![a-z]))/i;
const VOCABULARY = words('批量', '查询', '查号', '号码', '号', '状态', '这些', '这几个', '以下', '下面', '的', '手机号', 'batch', 'numbers?', 'status', 'of', 'these', 'following', 'check', 'look up', 'lines?', 'mobiles?');

/** Default calls in flight for a batch flow: enough to be quick, few enough to spare the portal. */
export const BATCH_CONCURRENCY = 4;

export const numbersBatch = defineSkill({
  flow: 'numbers.batch',
  plan: z.object({
    flow: z.literal('numbers.batch'),
    lang: langSchema,
    /** Distinct valid mobiles, in the order given (at most BATCH_MAX). */
    mobiles: z.array(z.string()).min(1).max(BATCH_MAX),
    /** Entries that are not mobile numbers, as typed (the reply lists them back, masked). */
    invalid: z.array(z.string()),
    duplicates: z.number().int(),
  }),
  commands: [
    {
      priority: 200,
      // Led by the batch words, the rest is a list (entries that are not numbers are listed back);
      // otherwise the message must be nothing but batch words and numbers.
      words: 'own',
      parse: ({ text, lang, now }) => {
        const m = BATCH_WORDS.exec(text);
        if (!m) return undefined;
        if (text.slice(0, m.index).replace(/^\/?(?:请|帮我|帮忙|麻烦|please)?\s*/i, '') !== '' && !whole(text, VOCABULARY, now)) return undefined;
        const mobiles: string[] = [];
        const seen = new Set<string>();
        const invalid: string[] = [];
        let duplicates = 0;
        for (const token of text.replace(BATCH_WORDS, ' ').split(/[\s,;、|]+/)) {
          if (!/\d/.test(token)) continue;
          const digits = token.replace(/[-()]/g, '').replace(/^(?:\+86|0086)/, '');
          if (!/^1[3-9]\d{9}$/.test(digits)) {
            invalid.push(token);
            continue;
          }
          if (seen.has(digits)) {
            duplicates++;
            continue;
          }
          seen.add(digits);
          mobiles.push(digits);
        }
        if (mobiles.length === 0) return clarify(lang, invalid.length ? batchQuestions.noneValid : batchQuestions.numbers);
        if (mobiles.length > BATCH_MAX) return clarify(lang, batchQuestions.tooMany(mobiles.length));
        return { flow: 'numbers.batch' as const, lang, mobiles, invalid, duplicates };
      },
    },
  ],
  uses: { tool: 'crm.getNumberStatus', effect: 'read' },
  help: [
    {
      section: 'read',
      order: 10,
      text: {
        zh: '批量查询号码状态 <手机号，空格/逗号/换行分隔，最多 500 个> — 批量号码状态',
        en: 'batch status <mobiles, separated by spaces/commas/new lines, up to 500> — line status of many numbers',
      },
    },
  ],
  async run(plan, tools) {
    const { lang, mobiles } = plan;
    const total = mobiles.length;
    const step = Math.max(1, Math.ceil(total / 10));
    const stop = new AbortController();
    const failures = new Map<object, unknown>();
    let fatal: unknown;
    let reported = Promise.resolve();
    let lastReported = 0;
    const report = (done: number) => {
      const progress = tools.progress;
      if (!progress || done === lastReported || (done % step !== 0 && done !== total)) return;
      lastReported = done;
      reported = reported.then(() => progress(batchProgress(lang, done, total))).catch(() => undefined);
    };

    const inputs = mobiles.map((mobile) => ({ mobile }));
    const result = await runBatch<{ mobile: string }, z.infer<typeof getNumberStatusOutput>>({
      // Every item goes through FlowTools.call: authorized, audited and scope-checked one by one.
      runner: {
        run: async (tool, input) => {
          try {
            return { output: await tools.call(tool, valid(getNumberStatusInput, input), getNumberStatusOutput) };
          } catch (err) {
            failures.set(input as object, err);
            // The role, the rollout or a limit refuses the tool itself: every other call would be refused the same way.
            if (isPolicyDenied(err) && err.kind !== 'scope') {
              fatal ??= err;
              stop.abort();
            }
            throw err;
          }
        },
      },
      tool: 'crm.getNumberStatus',
      inputs,
      concurrency: tools.concurrency ?? BATCH_CONCURRENCY,
      progressIntervalMs: 0,
      onProgress: (p) => report(p.done),
      signal: stop.signal,
    });
    await reported;
    if (fatal !== undefined) throw fatal;
    const errors = [...failures.values()];
    // Nothing answered and the system is down: say so, as any other flow would.
    if (result.ok === 0 && errors.length === total && isSystemError(errors[0])) throw errors[0];
    const items: BatchItem[] = result.items.map((item, i) =>
      item.ok
        ? { mobile: mobiles[i]!, status: item.output.status }
        : { mobile: mobiles[i]!, status: null, reason: failures.has(inputs[i]!) ? failureReason(lang, failures.get(inputs[i]!)) : maskText(item.error.message) },
    );
    return answered(batchReply(lang, items, plan.invalid, plan.duplicates));
  },
});

function failureReason(lang: Lang, err: unknown): string {
  if (isBusinessError(err)) {
    const zh = (err as BusinessError).details.zh;
    return maskText(lang === 'zh' && typeof zh === 'string' ? zh : err.message);
  }
  if (isSystemError(err)) return lang === 'zh' ? `${systemName('zh', err.system)}无响应` : `${systemName('en', err.system)} not responding`;
  if (err instanceof InvalidInput) return maskText(err.message);
  return maskText(err instanceof Error ? err.message : String(err));
}
