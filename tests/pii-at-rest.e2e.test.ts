/**
 * The proof of invariant 11 ("nothing personal lies in clear at rest"): a session full of personal
 * data goes through the real app — console messages with valid and invalid resident IDs, mobiles
 * in six written forms, card numbers that pass Luhn and that do not, a CRM lookup whose page shows
 * the customer's full mobile and ID (so a screenshot is taken), approval cards whose lines carry
 * them, an LLM turn — and then every row of every table (pg_dump --data-only on PostgreSQL, every
 * row as text on PGlite, plus PGlite's files on disk), the captured log output and every text
 * evidence file (and the entries of trace zips) are searched: zero raw values.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { format, promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { ScriptedLlm } from './llm-server/server.js';
import { readEvidenceFile } from '../src/store/evidence-repo.js';

// Everything the process logs, as it finally reaches the console (the app's log masking wraps this).
const logged: string[] = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    logged.push(format(...args));
    original(...args);
  };
}

/** The seeded customer C000123 (the CRM page shows these in full). */
const SEEDED = ['13857101234', '330106198503121231'];
/** What the session types: each value as typed, and its digits. */
const TYPED = {
  validId: '11010519491231002X',
  badCheckId: '110105194912310021',
  oldId: '330106800101123',
  mobiles: ['13912345678', '+86 139 2345 6789', '0086-139-3456-7890', '１３９４５６７８９０１', '139-5678-9012', '+8613967890123'],
  luhnCard: '6222021234567890128',
  badLuhnCard: '6222 0212 3456 7890 124',
};
const digitsOf = (v: string) => v.normalize('NFKC').replace(/[\s+-]/g, '').replace(/^(?:0086|86)(?=1\d{10}$)/, '');
const RAW = [
  ...SEEDED,
  TYPED.validId,
  TYPED.badCheckId,
  TYPED.oldId,
  TYPED.luhnCard,
  ...[...TYPED.mobiles, TYPED.badLuhnCard].flatMap((v) => [v, digitsOf(v)]),
];

function rawIn(text: string): string[] {
  return RAW.filter((r) => text.includes(r) || text.toUpperCase().includes(r.toUpperCase()));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe.each(await dbKinds())('no personal data in clear at rest on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let llm: ScriptedLlm;

  beforeAll(async () => {
    llm = await ScriptedLlm.start();
    db = await createTestDatabase(kind);
    // PGlite without DATA_KEYS: demo mode generates the key file. PostgreSQL has the test key.
    const keys: Record<string, string> = kind === 'pglite' ? { DATA_KEYS: '' } : {};
    t = await startTestApp({ ...db.env, ...keys, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.url, OPENAI_MODEL: 'scripted', RPA_TRACES: 'failure' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await llm?.close();
  });

  it('seeds a session full of personal data through the real app', async () => {
    const c = t.client;
    // Identity checks: valid, wrong check digit, 15-digit; the valid one opens the CRM page (screenshot).
    expect(textOf(await c.say('alice', `核验身份 C000123 ${TYPED.validId}`, 'pii'))).not.toContain(TYPED.validId);
    expect(textOf(await c.say('alice', `核验身份 C000123 ${TYPED.badCheckId}`, 'pii'))).not.toContain(TYPED.badCheckId);
    await c.say('alice', `核验身份 C000123 ${TYPED.oldId}`, 'pii');
    // A CRM lookup by mobile (the page shows the seeded customer's full mobile and ID).
    await c.say('alice', `黑名单 ${SEEDED[0]}`, 'pii');
    // Mobiles in six forms, in one batch.
    await c.say('alice', `批量查询号码状态 ${TYPED.mobiles.join(' , ')}`, 'pii');
    // Approval cards whose lines carry a mobile, an ID and both card numbers.
    const note = await c.say('alice', `工单备注 T20261124-0012 客户新号码${TYPED.mobiles[1]}，证件${TYPED.badCheckId}，卡号${TYPED.badLuhnCard}和${TYPED.luhnCard}`, 'pii');
    const noteCard = cardOf(note);
    expect(noteCard, JSON.stringify(note)).toBeDefined();
    expect(JSON.stringify(noteCard)).toContain('139****6789');
    expect((await c.act('carol', noteCard!.approvalId!, 'approve')).status).toBe('approved');
    const sms = cardOf(await c.say('alice', `发短信 ${SEEDED[0]} SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00`, 'pii'));
    expect(sms).toBeDefined();
    expect((await c.act('carol', sms!.approvalId!, 'reject', `客户 ${TYPED.mobiles[2]} 要求不发`)).status).toBe('rejected');
    // An LLM turn: the model sees placeholders, calls the CRM with one, answers.
    llm.script(
      [
        { toolCalls: [{ name: 'crm_getCustomer', arguments: { customerId: null, mobile: '<MOBILE_1>', broadbandAccount: null } }] },
        { reply: '客户 <MOBILE_1> 的证件是 <ID_2>。' },
      ],
      { reset: true },
    );
    const reply = textOf(await c.say('alice', `帮我看看 ${SEEDED[0]} 这个客户是谁，他说身份证是${TYPED.validId}，银行卡 ${TYPED.luhnCard}`, 'llm'));
    expect(reply).toContain('138****1234');
    expect(llm.requests.length).toBe(2);
    // Last (it opens the CRM's breaker): a CRM that fails every request, so failure evidence — the
    // page's HTML and a Playwright trace whose network log holds the numbers asked for — is written.
    const sandbox = t.app.sandbox!.url;
    await fetch(`${sandbox}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'crm', errorRate: 1, seed: 1 }) });
    await c.say('alice', `批量查询号码状态 ${TYPED.mobiles[0]} ${TYPED.mobiles[4]}`, 'pii');
    await fetch(`${sandbox}/admin/faults`, { method: 'DELETE' });
    await t.app.agent.idle();
    await t.app.inbox.idle();
  });

  it('holds zero raw values in any table', async () => {
    let dump: string;
    if (kind === 'postgres') {
      const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', db.env.DATABASE_URL!], { maxBuffer: 256 * 1024 * 1024 });
      dump = stdout;
    } else {
      const tables = (await t.app.db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)).rows;
      const parts: string[] = [];
      for (const { t: table } of tables) {
        const rows = (await t.app.db.query<{ r: string }>(`SELECT x::text AS r FROM "${table}" x`)).rows;
        parts.push(`-- ${table}: ${rows.length}\n${rows.map((r) => r.r).join('\n')}`);
      }
      dump = parts.join('\n');
    }
    // The dump really holds the session: sealed values, masked values, the tables that carried raw data before.
    for (const table of ['checkpoint_blobs', 'checkpoint_writes', 'console_messages', 'inbox', 'audit_log', 'tool_calls', 'approvals']) expect(dump).toContain(table);
    expect(dump).toContain('sb1:');
    expect(dump).toContain('139****6789');
    expect(dump).toContain('110105********0021');
    expect(rawIn(dump)).toEqual([]);
  });

  it('logged no raw value, and stored no raw value in any text evidence file or trace (nor anything on disk)', async () => {
    expect(logged.join('\n')).toContain(kind === 'pglite' ? '[data-keys] demo mode' : '');
    expect(rawIn(logged.join('\n'))).toEqual([]);
    // Evidence is in the database now (every replica serves it), none under DATA_DIR.
    expect((await filesUnder(path.join(db.env.DATA_DIR!, 'evidence')).catch(() => [])).length).toBe(0);
    await t.app.agent.idle();
    const rows = (await t.app.db.query<{ call_id: string; name: string }>('SELECT call_id, name FROM evidence_files')).rows;
    const names = rows.map((r) => r.name);
    expect(names.some((f) => f.endsWith('.png'))).toBe(true);
    expect(names.some((f) => f.endsWith('.trace.zip')), names.join('\n')).toBe(true);
    expect(names.some((f) => f.endsWith('.html'))).toBe(true);
    const found: string[] = [];
    for (const { call_id, name } of rows) {
      if (name.endsWith('.png')) continue;
      const buf = (await readEvidenceFile(t.app.db, call_id, name))!;
      const texts = name.endsWith('.zip') ? Object.values(unzipSync(new Uint8Array(buf))).map((b) => Buffer.from(b).toString('utf8')) : [buf.toString('utf8')];
      for (const text of texts) found.push(...rawIn(text).map((r) => `${name}: ${r}`));
    }
    expect(found).toEqual([]);
  });

  it.runIf(kind === 'pglite')('leaves no raw value in the embedded database files, and keeps its key file private', async () => {
    const dataDir = db.env.DATA_DIR!;
    expect((await stat(path.join(dataDir, 'data-key'))).mode & 0o777).toBe(0o600);
    const found: string[] = [];
    for (const f of await filesUnder(path.join(dataDir, 'pglite'))) {
      const buf = await readFile(f);
      for (const r of RAW) if (buf.includes(Buffer.from(r, 'utf8'))) found.push(`${path.relative(dataDir, f)}: ${r}`);
    }
    expect(found).toEqual([]);
  });
});
