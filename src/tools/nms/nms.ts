/** nms.listAlarms: alarms of a network element (or one port and its ONUs) from the NMS (网管). */
import type { Page } from 'playwright-core';
import { defineTool } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { SystemError } from '../errors.js';
import { listAlarmsInput, listAlarmsOutput, severitySchema, type Alarm } from './schemas.js';
import { column, orNull, readListTable, yes } from '../portal/page-reading.js';

const SYSTEM = 'nms';
/** A runaway pager must not hold a page forever. */
const MAX_PAGES = 50;

export const listAlarms = defineTool({
  name: 'nms.listAlarms',
  effect: 'read',
  system: 'nms',
  description:
    '查询网元或端口的告警（默认仅活动告警，可指定起始时间）。List alarms of an NE, optionally one port (F/S/P) and its ONUs; active only by default, or all raised since a time.',
  input: listAlarmsInput,
  output: listAlarmsOutput,
  scope: {
    input: [{ path: 'ne', kind: 'region', via: 'oltRegion' }],
    output: [{ path: 'alarms[].ne', kind: 'region', via: 'oltRegion' }],
  },
  async run(input, ctx) {
    return ctx.withPage('nms', async (page, base) => {
      const alarms: Alarm[] = [];
      let total = 0;
      for (let n = 1; n <= MAX_PAGES; n++) {
        const qs = new URLSearchParams({ ne: input.ne, state: input.state, page: String(n) });
        if (input.object) qs.set('object', input.object);
        if (input.since) qs.set('since', input.since);
        ctx.step('read alarm page', { page: n });
        await gotoPage(page, `${base}/alarms?${qs.toString()}`, SYSTEM);
        const table = await readListTable(page, /Alarm/i);
        const pager = await readPager(page);
        total = pager.total;
        if (!table || table.rows.length === 0) break;
        const col = (label: string) => column(table, label, SYSTEM);
        const idx = {
          id: col('Alarm ID'),
          severity: col('Severity'),
          ne: col('NE'),
          object: col('Object'),
          type: col('Type'),
          cause: col('Probable cause'),
          raised: col('Raised'),
          cleared: col('Cleared'),
          ack: col('Acknowledged'),
          sa: col('Service affecting'),
        };
        for (const row of table.rows) {
          const severity = severitySchema.safeParse((row[idx.severity] ?? '').toLowerCase());
          if (!severity.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown severity "${row[idx.severity]}"`);
          alarms.push({
            id: row[idx.id] ?? '',
            severity: severity.data,
            ne: row[idx.ne] ?? '',
            object: row[idx.object] ?? '',
            type: row[idx.type] ?? '',
            probableCause: row[idx.cause] ?? '',
            raisedAt: row[idx.raised] ?? '',
            clearedAt: orNull(row[idx.cleared] ?? ''),
            acknowledged: yes(row[idx.ack] ?? ''),
            serviceAffecting: yes(row[idx.sa] ?? ''),
          });
          if (alarms.length >= input.limit) break;
        }
        if (alarms.length >= input.limit) break;
        if (!pager.hasNext) break;
      }
      total = Math.max(total, alarms.length);
      return { alarms, total, truncated: total > alarms.length };
    });
  },
});

/**
 * The pager by what it says (its "Pagination" label, "共 N" and the "Next" link), not by ids or
 * rel attributes, which the portal's other layout does not have.
 */
async function readPager(page: Page): Promise<{ total: number; hasNext: boolean }> {
  return page.evaluate(() => {
    const nav = [...document.querySelectorAll('[aria-label]')].find((el) => /Pagination/i.test(el.getAttribute('aria-label') ?? ''));
    if (!nav) return { total: 0, hasNext: false };
    const m = /共\s*(\d+)/.exec(nav.textContent ?? '');
    const hasNext = [...nav.querySelectorAll('a')].some((a) => /下一页|\bNext\b/i.test(a.textContent ?? ''));
    return { total: m ? Number.parseInt(m[1] ?? '0', 10) : 0, hasNext };
  });
}
