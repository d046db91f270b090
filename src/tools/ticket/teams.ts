/**
 * workorder.teams: the ticket portal's field-team directory page (/teams), read so a dispatch's
 * team and engineer can be checked before a manager is asked to approve it (the portal would
 * refuse an unknown one only at save time, after the approval).
 */
import { defineTool } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { SystemError } from '../errors.js';
import { column, readListTable } from '../portal/page-reading.js';
import { fieldTeamSchema, listTeamsInput, listTeamsOutput, type FieldTeam } from './schemas.js';

const SYSTEM = 'ticket';

export const listTeams = defineTool({
  name: 'workorder.teams',
  effect: 'read',
  system: 'ticket',
  description: '班组目录。Field teams and engineers by region.',
  input: listTeamsInput,
  output: listTeamsOutput,
  // A region asked for is checked before the page is opened; every team returned is owned by its region.
  scope: { input: [{ path: 'region', kind: 'region' }], output: [{ path: 'teams[].region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('ticket', async (page, base) => {
      ctx.step('open team directory', { region: input.region ?? '*' });
      await gotoPage(page, `${base}/teams`, SYSTEM);
      const table = await readListTable(page, /Teams/i);
      if (!table) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no team directory`);
      const [name, region, engineers] = ['Team', 'Region', 'Engineers'].map((l) => column(table, l, SYSTEM)) as [number, number, number];
      const teams: FieldTeam[] = [];
      for (const r of table.rows) {
        const parsed = fieldTeamSchema.safeParse({
          name: (r[name] ?? '').replace(/\s+/g, ' ').trim(),
          region: (r[region] ?? '').trim(),
          // The page joins engineers with 、 (a comma in some exports).
          engineers: (r[engineers] ?? '').split(/[、,，]/).map((e) => e.trim()).filter(Boolean),
        });
        if (!parsed.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unreadable team row`);
        if (!input.region || parsed.data.region === input.region) teams.push(parsed.data);
      }
      return { region: input.region ?? null, teams };
    });
  },
});
