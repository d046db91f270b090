/**
 * Evidence through the console (issue 14): GET /console/api/evidence/<callId>/<name> serves a
 * tool call's stored screenshot or page HTML to managers and auditors whose data scope covers the
 * call's owners; a person without the role, or whose scope does not cover them, is refused and
 * the refusal audited. HTML is shown as text, never run on the console's origin.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putEvidenceFile } from '../src/store/evidence-repo.js';
import { createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe('evidence served by the console (pglite)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const get = (p: string, user: string) => fetch(`${t.app.url}${p}${p.includes('?') ? '&' : '?'}user=${user}`);
  const audits = async (action: string) =>
    (await t.app.db.query<{ actor: string; subject: string; details: Record<string, unknown> }>('SELECT actor, subject, details FROM audit_log WHERE action = $1', [action])).rows;

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    t = await startTestApp(db.env);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("serves a call's screenshot to a manager and an auditor who cover it, and refuses the rest (audited)", async () => {
    expect(textOf(await t.client.say('bob', 'port OLT-HZ-01 0/1/3'))).toContain('-26.40 dBm');
    await t.app.agent.idle();
    const rows = await t.app.db.query<{ evidence: { files: string[] } }>(`SELECT evidence FROM tool_calls WHERE evidence->'files' <> '[]'::jsonb ORDER BY started_at DESC`);
    const ref = rows.rows.flatMap((r) => r.evidence.files).find((f) => f.endsWith('.png'))!;
    expect(ref).toMatch(/^evidence\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.png$/);
    const url = `/console/api/${ref}`;
    await expect.poll(async () => (await get(url, 'carol')).status, { timeout: 10_000, interval: 100 }).toBe(200);
    for (const who of ['carol', 'erin']) {
      const res = await get(url, who);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    }
    // Every file served is audited (the poll above counts too).
    expect(new Set((await audits('evidence.viewed')).map((a) => a.actor))).toEqual(new Set(['carol', 'erin']));
    // No manager or auditor role: refused by role, audited.
    const alice = await get(url, 'alice');
    expect(alice.status).toBe(403);
    expect(((await alice.json()) as { error: string }).error).toMatch(/manager or auditor/);
    expect((await audits('access.refused')).some((a) => a.actor === 'alice')).toBe(true);
  });

  it("refuses a manager whose data scope does not cover the call's owners, and says so in both languages", async () => {
    const callId = randomUUID();
    const name = `${callId}.html`;
    await putEvidenceFile(t.app.db, callId, name, Buffer.from('<script>alert(1)</script><p>宁波 138****1234</p>'), { owners: [{ kind: 'region', id: 'ningbo' }], complete: true });
    const carol = await get(`/console/api/evidence/${callId}/${name}`, 'carol');
    expect(carol.status).toBe(403);
    const { error } = (await carol.json()) as { error: string };
    expect(error).toContain('ningbo');
    expect(error).toContain('数据范围');
    const refused = (await audits('evidence.refused')).filter((a) => a.subject === `${callId}/${name}`);
    expect(refused).toEqual([{ actor: 'carol', subject: `${callId}/${name}`, details: expect.objectContaining({ outside: [{ kind: 'region', id: 'ningbo' }] }) }]);
    // The all-region auditor sees it — as text, never as a page that runs.
    const erin = await get(`/console/api/evidence/${callId}/${name}`, 'erin');
    expect(erin.status).toBe(200);
    expect(erin.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(erin.headers.get('content-security-policy')).toContain('sandbox');
    expect(await erin.text()).toContain('138****1234');
  });

  it('a call whose owners could not all be known is for an all-region viewer only; unknown files are 404, malformed names 400', async () => {
    const callId = randomUUID();
    await putEvidenceFile(t.app.db, callId, `${callId}.png`, Buffer.from('png'), { owners: [], complete: false });
    expect((await get(`/console/api/evidence/${callId}/${callId}.png`, 'dave')).status).toBe(403);
    expect((await get(`/console/api/evidence/${callId}/${callId}.png`, 'erin')).status).toBe(200);
    expect((await get(`/console/api/evidence/${randomUUID()}/x.png`, 'erin')).status).toBe(400);
    const other = randomUUID();
    expect((await get(`/console/api/evidence/${other}/${other}-2.png`, 'erin')).status).toBe(404);
    expect((await get(`/console/api/evidence/${callId}/..%2F..%2Fetc.png`, 'erin')).status).toBe(400);
  });
});
