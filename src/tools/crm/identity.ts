/**
 * crm.verifyIdentity: real-name / ID verification (实名核验). The resident ID the customer gave is
 * checked here first — format, GB 11643 check character, birth date — and an invalid one is
 * answered at once (verdict invalid_id, no browser call). A well-formed one is compared with the
 * CRM record, read from the customer's detail page. Only masked values leave this tool.
 */
import type { Page } from 'playwright-core';
import { defineTool, type ToolContext } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError } from '../errors.js';
import { verifyIdentityInput, verifyIdentityOutput } from './schemas.js';
import { checkResidentId, customerRefLabel, maskIdLike, normalizeDigits } from '../../policies/masking.js';
import { column, orNull, pageResult, pick, readKeyValues, readListTable, yes, type KeyValues } from '../portal/page-reading.js';
import type { z } from 'zod';

const SYSTEM = 'crm';

type Output = z.infer<typeof verifyIdentityOutput>;
type Reason = { zh: string; en: string };

/** The CRM detail page of the customer (by id, or found by mobile through the search page). */
export async function openCustomerDetail(page: Page, base: string, customer: { customerId: string } | { mobile: string }, ctx: ToolContext): Promise<KeyValues> {
  let id = 'customerId' in customer ? customer.customerId : undefined;
  const shown = customerRefLabel(customer);
  const notFound = () => new BusinessError('not_found', `No customer found for ${shown}`, { zh: `CRM 中找不到客户：${shown}` });
  if (!id) {
    ctx.step('search customer by mobile');
    await gotoPage(page, `${base}/customers?q=${encodeURIComponent((customer as { mobile: string }).mobile)}`, SYSTEM);
    if ((await pageResult(page))?.result === 'not_found') throw notFound();
    const table = await readListTable(page, /./);
    const row = table?.rows[0];
    if (!table || !row) throw notFound();
    id = row[column(table, 'Customer ID', SYSTEM)];
  }
  ctx.step('open customer', { customerId: id });
  await gotoPage(page, `${base}/customers/${encodeURIComponent(id ?? '')}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') throw notFound();
  return readKeyValues(page);
}

/** The CRM shows names masked ("张*"): compare what it shows — the first character and the length. */
function nameConsistent(given: string, shown: string): boolean {
  const g = given.replace(/\s+/g, '');
  if (!shown.includes('*')) return g === shown;
  return g.length === shown.length && g[0] === shown[0];
}

export const verifyIdentity = defineTool({
  name: 'crm.verifyIdentity',
  effect: 'read',
  system: 'crm',
  description:
    '实名核验：校验客户提供的身份证号（格式、校验位、出生日期）并与 CRM 记录比对，只返回脱敏结果。Verify a customer\'s identity: check the resident ID they gave (format, GB 11643 check digit, birth date) and compare it with the CRM record; masked values only.',
  input: verifyIdentityInput,
  output: verifyIdentityOutput,
  // The output's region covers the customer reference: no extra read before the check.
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx): Promise<Output> {
    const chk = checkResidentId(input.residentId);
    const givenIdMasked = maskIdLike(chk.normalized);
    const reasons: Reason[] = [];
    if (!chk.formatValid) {
      reasons.push(
        chk.legacy15
          ? { zh: '15 位旧版身份证号没有校验位，请客户提供 18 位号码', en: '15-digit legacy ID (no check digit): ask the customer for the 18-digit number' }
          : { zh: '身份证号码格式不对：应为 17 位数字加 1 位数字或 X', en: 'Not a resident ID: 17 digits and a final digit or X expected' },
      );
    } else {
      if (!chk.checksumValid) reasons.push({ zh: '身份证号码校验位不正确（可能抄错了某一位）', en: 'The check digit is wrong (a digit was probably mistyped)' });
      if (!chk.birthDateValid) reasons.push({ zh: '身份证号码中的出生日期无效或在未来', en: 'The birth date inside the ID is not a real date or lies in the future' });
    }
    const base = { formatValid: chk.formatValid, checksumValid: chk.checksumValid, birthDateValid: chk.birthDateValid, givenIdMasked };
    if (reasons.length > 0) {
      ctx.step('resident ID refused before consulting the CRM', { formatValid: chk.formatValid, checksumValid: chk.checksumValid, birthDateValid: chk.birthDateValid });
      return {
        customerId: 'customerId' in input.customer ? input.customer.customerId : null,
        region: null,
        ...base,
        matchesRecord: null,
        nameMatches: null,
        realNameVerified: null,
        recordIdMasked: null,
        verdict: 'invalid_id',
        reasons,
      };
    }

    return ctx.withPage('crm', async (page, url) => {
      const kv = await openCustomerDetail(page, url, input.customer, ctx);
      const recordId = normalizeDigits(pick(kv, 'Resident ID', SYSTEM));
      const realNameVerified = yes(pick(kv, 'Real-name verified', SYSTEM));
      const matchesRecord = recordId === chk.normalized;
      const nameMatches = input.name === undefined ? null : nameConsistent(input.name, pick(kv, 'Name', SYSTEM));
      ctx.step('compared with the record', { matchesRecord, nameMatches, realNameVerified });
      if (matchesRecord) reasons.push({ zh: '证件号码与 CRM 记录一致', en: 'The ID matches the CRM record' });
      else reasons.push({ zh: '证件号码与 CRM 记录不一致', en: 'The ID does not match the CRM record' });
      if (nameMatches === true) reasons.push({ zh: '姓名与记录一致（CRM 仅显示姓氏）', en: 'The name agrees with the record (the CRM shows the surname only)' });
      if (nameMatches === false) reasons.push({ zh: '姓名与 CRM 记录不一致', en: 'The name does not match the CRM record' });
      if (!realNameVerified) reasons.push({ zh: '该客户尚未完成实名认证', en: 'The customer has not completed real-name registration' });
      const verdict: Output['verdict'] =
        !matchesRecord || nameMatches === false ? 'mismatch' : !realNameVerified ? 'not_real_name_verified' : 'verified';
      return {
        customerId: pick(kv, 'Customer ID', SYSTEM),
        region: orNull(pick(kv, 'Region', SYSTEM)),
        ...base,
        matchesRecord,
        nameMatches,
        realNameVerified,
        recordIdMasked: maskIdLike(recordId),
        verdict,
        reasons,
      };
    });
  },
});
