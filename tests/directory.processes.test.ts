/**
 * A directory change seen by a second process without restart (issue 12, "People"): a node child
 * process loads the directory once and watches it; this process maps a Teams id and disables a
 * leaver, and the child resolves both within seconds. Once through the NOTIFY (the poll set so
 * slow it cannot be what delivered it), once through the poll alone. PostgreSQL only: PGlite is
 * one process per data dir by construction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { applyDirectory, mapIdentity, setPrincipalActive } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers/test-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const worker = path.join(root, 'tests/helpers/directory-worker.ts');

function startWorker(env: Record<string, string>): { child: ChildProcess; lines: () => string[]; saw(re: RegExp, timeoutMs: number): Promise<number> } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (at: number) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => w.re.test(out))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(Date.now());
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    lines: () => out.split('\n').filter(Boolean),
    saw: (re, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        if (re.test(out)) return resolve(Date.now());
        const timer = setTimeout(() => reject(new Error(`worker did not print ${re} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
        waiters.push({ re, resolve: (at) => (clearTimeout(timer), resolve(at)) });
        child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ${re}: ${out}\n${err}`)));
      }),
  };
}

const PEOPLE = `
departments:
  - { id: noc, name: { zh: 网络监控中心, en: Network Operations Centre } }
people:
  - { id: li.na, name: 李娜, roles: [manager], department: noc, regions: ['*'] }
  - { id: zhao.lei, name: 赵雷, roles: [field_tech], department: noc, regions: [hangzhou], manager: li.na }
`;

const pg = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;

pg('directory changes across processes on postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
    await migrate(db);
    await applyDirectory(db, parseDirectoryText(PEOPLE, 'yaml', 'people.yaml'), { actor: 'cli:test', source: 'people.yaml' });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await db?.close();
    await tdb?.drop();
  });

  it.each([
    ['the NOTIFY', { DIRECTORY_POLL_MS: '60000' }, 1_500],
    ['the poll alone', { DIRECTORY_POLL_MS: '500', DIRECTORY_LISTEN: '0' }, 3_000],
  ] as const)('sees a mapping added and a leaver disabled through %s, without restart', async (_how, env, withinMs) => {
    const person = _how === 'the NOTIFY' ? 'li.na' : 'zhao.lei';
    const teamsId = _how === 'the NOTIFY' ? '0f0f0f0f-0000-4000-8000-000000000001' : '0f0f0f0f-0000-4000-8000-000000000002';
    await setPrincipalActive(db, person, true, { actor: 'cli:test' });
    const w = startWorker({ DATABASE_URL: tdb.env.DATABASE_URL!, WATCH_TEAMS_ID: teamsId, WATCH_PRINCIPAL: person, ...env });
    workers.push(w.child);
    await w.saw(/READY/, 20_000);
    expect(w.lines()[0]).toMatch(new RegExp(`teams=- leaver=${person.replace('.', '\\.')} listed`));
    // Let the worker's LISTEN settle, so the first change is heard rather than found on connect.
    await new Promise((r) => setTimeout(r, 300));

    const mappedAt = Date.now();
    await mapIdentity(db, { principalId: person, channel: 'teams', platformUserId: teamsId }, { actor: 'cli:test' });
    const seenMap = await w.saw(new RegExp(`teams=${person.replace('.', '\\.')} `), 10_000);
    expect(seenMap - mappedAt).toBeLessThan(withinMs);

    const disabledAt = Date.now();
    await setPrincipalActive(db, person, false, { actor: 'cli:test', reason: 'left the company' });
    // Gone from lookups by id and by platform id, and from the approver list (all()).
    const seenLeaver = await w.saw(/teams=- leaver=- unlisted/, 10_000);
    expect(seenLeaver - disabledAt).toBeLessThan(withinMs);
    w.child.kill('SIGTERM');
  });
});
