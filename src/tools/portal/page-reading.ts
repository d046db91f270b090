/**
 * Reading legacy pages by what they say, not where things sit: key/value tables are found by
 * their row headers' text and list tables by their column headers, so a moved row or a renamed
 * CSS class does not break a tool. Each read is one round trip into the page.
 */
import type { Page } from 'playwright-core';
import { SystemError } from '../errors.js';

export type KeyValues = Map<string, string>;

/** Every `<tr><th>label</th><td>value</td></tr>` on the page, label -> value text. */
export async function readKeyValues(page: Page): Promise<KeyValues> {
  const pairs = await page.$$eval('tr', (rows) =>
    rows.flatMap((tr) => {
      const th = tr.querySelector('th');
      const td = tr.querySelector('td');
      if (!th || !td || tr.querySelectorAll('th').length !== 1) return [];
      const items = [...td.querySelectorAll('li')].map((li) => (li.textContent ?? '').trim());
      const value = items.length > 0 ? items.join('\n') : (td.textContent ?? '').trim();
      return [[(th.textContent ?? '').replace(/\s+/g, ' ').trim(), value] as [string, string]];
    }),
  );
  return new Map(pairs);
}

/** The value whose label mentions `label` (the English part, case-insensitive). */
export function pick(kv: KeyValues, label: string, system: string): string {
  const want = label.toLowerCase();
  for (const [k, v] of kv) if (k.toLowerCase().endsWith(want) || k.toLowerCase().includes(` ${want}`) || k.toLowerCase() === want) return v;
  throw new SystemError('unexpected_page', system, `${system}: the page has no "${label}" field`);
}

export const orNull = (v: string): string | null => (v === '' || v === '—' || v === '-' ? null : v);

export interface ListTable {
  headers: string[];
  rows: string[][];
}

/** A list table (thead + tbody) whose caption matches, as header texts and cell texts. */
export async function readListTable(page: Page, caption: RegExp): Promise<ListTable | null> {
  const tables = await page.$$eval('table', (els) =>
    els.map((t) => ({
      caption: (t.querySelector('caption')?.textContent ?? '').trim(),
      headers: [...t.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').replace(/\s+/g, ' ').trim()),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    })),
  );
  const t = tables.find((x) => caption.test(x.caption) && x.headers.length > 0);
  return t ? { headers: t.headers, rows: t.rows } : null;
}

/** Index of the column whose header mentions `label`. */
export function column(table: ListTable, label: string, system: string): number {
  const want = label.toLowerCase();
  const i = table.headers.findIndex((h) => h.toLowerCase().endsWith(want) || h.toLowerCase() === want);
  if (i < 0) throw new SystemError('unexpected_page', system, `${system}: the table has no "${label}" column`);
  return i;
}

/** The outcome a portal announces (role=status / role=alert with data-result), if any. */
export async function pageResult(page: Page): Promise<{ result: string; text: string } | null> {
  return page.evaluate(() => {
    const el = document.querySelector('[role=alert][data-result], [role=status][data-result]');
    if (!el) return null;
    return { result: el.getAttribute('data-result') ?? '', text: (el.textContent ?? '').trim() };
  });
}

export const yes = (v: string): boolean => /^(是|yes|y|true)$/i.test(v.trim());
