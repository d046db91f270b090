/**
 * risk.checkBlacklist: the real-name & risk service's lists (blacklist, fraud, arrears risk,
 * watch) for a mobile and/or a resident ID, through its HTTP API. Values in the output are masked
 * here (the service returns them in full).
 */
import { callApi, errorCodeOf } from '../api-client.js';
import { defineTool } from '../define.js';
import { BusinessError, SystemError } from '../errors.js';
import { checkBlacklistInput, checkBlacklistOutput, blacklistHitSchema } from './schemas.js';
import { checkResidentId, maskIdLike, maskMobile } from '../../policies/masking.js';
import { z } from 'zod';

const SYSTEM = 'risk';

/** What the service answers (before masking). */
const serviceAnswer = z.object({
  hits: z.array(blacklistHitSchema.extend({ value: z.string() })),
  riskLevel: z.enum(['low', 'medium', 'high']),
  checkedAt: z.string().optional(),
});

/** 15-digit legacy IDs: first 6 and last 4 at most. */

export const checkBlacklist = defineTool({
  name: 'risk.checkBlacklist',
  effect: 'read',
  system: 'risk',
  description:
    '查询手机号/身份证是否在黑名单、涉诈、欠费风险或关注名单上，给出风险等级。Check a mobile number and/or resident ID against the blacklist, fraud, arrears-risk and watch lists; returns the hits (masked) and a risk level.',
  input: checkBlacklistInput,
  output: checkBlacklistOutput,
  scope: { none: 'the risk lists are operator-wide, owned by no region or customer record; hits come back masked' },
  async run(input, ctx) {
    const query = new URLSearchParams();
    if (input.mobile !== undefined) query.set('mobile', input.mobile);
    if (input.residentId !== undefined) {
      const id = checkResidentId(input.residentId);
      // Checked here first: a number that is no ID at all is the user's typo, not a clean record.
      if (!id.legacy15 && !(id.formatValid && id.checksumValid)) {
        throw new BusinessError('invalid_input', 'The resident ID is not valid (format or check digit)', {
          zh: '身份证号码无效（格式或校验位错误）',
          field: 'residentId',
        });
      }
      query.set('residentId', id.normalized);
    }
    const res = await callApi(ctx, SYSTEM, 'GET', `/api/blacklist?${query.toString()}`);
    if (res.status === 400 || res.status === 422) {
      const params = (res.body as { params?: unknown } | null)?.params;
      const names = Array.isArray(params) ? params.map(String).join(', ') : errorCodeOf(res.body) ?? 'request';
      throw new BusinessError('invalid_input', `The risk service refused the query: ${names}`, { zh: `风控服务拒绝了查询参数：${names}` });
    }
    if (res.status !== 200) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: blacklist query answered HTTP ${res.status}`);
    const parsed = serviceAnswer.safeParse(res.body);
    if (!parsed.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: blacklist answer has an unexpected shape`);
    const hits = parsed.data.hits.map((h) => ({
      ...h,
      value: h.subject === 'mobile' ? maskMobile(h.value) : maskIdLike(h.value),
    }));
    ctx.step('lists checked', { hits: hits.map((h) => h.list), riskLevel: parsed.data.riskLevel });
    return {
      listed: hits.length > 0,
      riskLevel: parsed.data.riskLevel,
      hits,
      checkedAt: parsed.data.checkedAt ?? new Date().toISOString(),
    };
  },
});
