/**
 * The legacy portals' write shape, shared by the work-order, note and alarm tools: a form found
 * by its labels, "Submit", a confirm page, the confirm button, and the save's own answer. Fields
 * are read by their exact English label (the part after the Chinese), so "Acknowledged" never
 * picks up "Acknowledged by", whatever order the rows come in.
 */
import type { Page } from 'playwright-core';
import { BusinessError, SystemError } from '../errors.js';
import { orNull, pageResult, readKeyValues, type KeyValues } from './page-reading.js';

/** The value of the row whose label is `label` or ends with " label" (case-insensitive). */
export function exact(kv: KeyValues, label: string, system: string): string {
  const want = label.toLowerCase();
  for (const [k, v] of kv) {
    const key = k.toLowerCase();
    if (key === want || key.endsWith(` ${want}`)) return v;
  }
  throw new SystemError('unexpected_page', system, `${system}: the page has no "${label}" field`);
}
export const exactOrNull = (kv: KeyValues, label: string, system: string): string | null => orNull(exact(kv, label, system));

export interface FormStep {
  label: string;
  value: string;
  /** A select (chosen by option value) rather than a text input. */
  select?: boolean;
}

/**
 * Fill the form by labels and submit it. A validation alert becomes BusinessError invalid_input
 * with the portal's own text; any other announced outcome on the form's answer is returned.
 */
export async function fillAndSubmit(page: Page, fields: FormStep[], system: string, zhSystem: string): Promise<{ result: string; text: string } | null> {
  for (const f of fields) {
    // By role and accessible name: a form's own aria-label ("Add note") must not count as a field.
    const input = page.getByRole(f.select ? 'combobox' : 'textbox', { name: f.label }).first();
    if (f.select) await input.selectOption(f.value);
    else await input.fill(f.value);
  }
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.getByRole('button', { name: /Submit/i }).click()]);
  const outcome = await pageResult(page);
  if (outcome?.result === 'validation_error') {
    throw new BusinessError('invalid_input', `The ${system} system refused the values: ${outcome.text}`, { zh: `${zhSystem}拒绝了这些值：${outcome.text}`, portal: outcome.text });
  }
  return outcome;
}

/**
 * Click the confirm button and wait for the save's own answer (the URL of the confirm post), not
 * the confirm page we are still on. Returns the announced outcome and the result's key/values.
 */
export async function confirmAndRead(page: Page, button: RegExp, confirmPath: string, system: string): Promise<{ result: string; text: string; kv: KeyValues }> {
  const confirm = page.getByRole('button', { name: button });
  await confirm.waitFor({ timeout: 5_000 }).catch((e: unknown) => {
    throw new SystemError('unexpected_page', system, `${system}: no confirm step after submitting`, { cause: e });
  });
  await Promise.all([page.waitForURL((u) => u.pathname.replace(/\/+$/, '').endsWith(confirmPath), { waitUntil: 'domcontentloaded' }), confirm.click()]);
  const outcome = await pageResult(page);
  return { result: outcome?.result ?? '', text: outcome?.text ?? '', kv: await readKeyValues(page) };
}
