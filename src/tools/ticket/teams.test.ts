/**
 * workorder.teams against the sandbox portal's /teams page through the real runtime (Chromium):
 * every team with its region and engineers, one region's, both layouts, a broken page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS } from '../../sandbox/seed-workorders.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

const hangzhou = TEAMS.filter((t) => t.region === 'hangzhou').map((t) => ({ name: t.name, region: t.region, engineers: [...t.engineers] }));

describe('workorder.teams', () => {
  it('reads every team with its region and engineers (normal), the same in layout b (boundary)', async () => {
    const { output } = await h.run('workorder.teams', {});
    expect(output).toEqual({ region: null, teams: TEAMS.map((t) => ({ name: t.name, region: t.region, engineers: [...t.engineers] })) });
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    expect((await h.run('workorder.teams', {})).output).toEqual(output);
  });

  it('reads one region\'s teams, the region id in any case (normal)', async () => {
    expect((await h.run('workorder.teams', { region: ' Hangzhou ' })).output).toEqual({ region: 'hangzhou', teams: hangzhou });
    expect((await h.run('workorder.teams', { region: 'wenzhou' })).output).toMatchObject({ teams: [{ name: '温州装维一组 WZ Field Team 1', engineers: ['林峰', '罗斌', '梁宇'] }] });
  });

  it('a team added to the portal\'s directory is read; a region without teams is an empty list (boundary)', async () => {
    h.sandbox.state.teams.push({ name: '宁波装维三组 NB Field Team 3', region: 'ningbo', engineers: ['钱亮'] });
    try {
      expect((await h.run('workorder.teams', { region: 'ningbo' })).output).toMatchObject({ teams: [{}, {}, { name: '宁波装维三组 NB Field Team 3', engineers: ['钱亮'] }] });
    } finally {
      h.sandbox.state.teams.pop();
    }
    expect((await h.run('workorder.teams', { region: 'shaoxing' })).output).toEqual({ region: 'shaoxing', teams: [] });
  });

  it('refuses a malformed region, and fails as a system error when the portal answers 500 (abnormal)', async () => {
    expect((await h.fail('workorder.teams', { region: 'HZ 1' })).code).toBe('invalid_input');
    expect((await h.fail('workorder.teams', { region: 'hangzhou', extra: 1 })).code).toBe('invalid_input');
    h.sandbox.faults.set({ system: 'tickets', errorRate: 1 });
    expect((await h.fail('workorder.teams', {})).name).toBe('SystemError');
  });
});
