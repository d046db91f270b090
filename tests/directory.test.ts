/**
 * The directory as operators maintain it (issue 12, "People"): imports are idempotent and
 * audited, a leaver is gone at once in this process, concurrent writers (more than the pool has
 * connections, and two pools contending as two processes would) leave a consistent directory, and
 * the CLI does all of it against the database, or says why it cannot (embedded PGlite in use).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { verifyAuditChain } from '../src/store/audit.js';
import { applyDirectory, Directory, DirectoryChangeError, listDirectory, mapIdentity, seedDirectory, setPrincipalActive, unmapIdentity } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { runDirectoryCli } from '../src/cli/directory.js';
import { TEST_AUDIT_KEY } from './helpers/audit-key.js';
import { createTestDatabase, dbKinds, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

const PEOPLE = `
departments:
  - { id: noc, name: { zh: 网络监控中心, en: Network Operations Centre } }
people:
  - id: li.na
    name: 李娜
    roles: [manager]
    department: noc
    regions: ['*']
    on_duty: mon-fri 09:00-18:00
    teams_object_id: 1a2b3c4d-0000-4000-8000-000000000001
    feishu_open_id: ou_lina
  - id: zhao.lei
    name: 赵雷
    roles: [field_tech]
    department: noc
    regions: [hangzhou]
    language: en
    manager: li.na
    feishu_union_id: on_zhaolei
`;
const seedOf = (text: string) => parseDirectoryText(text, 'yaml', 'people.yaml');

async function auditRows(db: Db, action: string) {
  return (await db.query<{ actor: string; subject: string; details: Record<string, unknown> }>('SELECT actor, subject, details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;
}

describe.each(kinds)('the directory on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let directory: Directory;
  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: kind === 'postgres' ? 2 : 1 });
    await migrate(db);
    directory = await new Directory(db).reload();
  });
  afterAll(async () => {
    await directory?.close();
    await db?.close();
    await tdb?.drop();
  });

  it('imports idempotently: the second run changes nothing; each run is audited with ids, never names', async () => {
    const first = await applyDirectory(db, seedOf(PEOPLE), { actor: 'cli:ops', source: 'people.yaml' });
    expect(first).toMatchObject({ added: ['li.na', 'zhao.lei'], changed: [], disabled: [], unchanged: 0, departments: { added: ['noc'] }, identities: { added: 5, moved: [] } });
    // This process's directory has them at once.
    expect(directory.byPlatformUser('teams', '1a2b3c4d-0000-4000-8000-000000000001')).toMatchObject({ id: 'li.na', name: '李娜', language: 'zh', manager: null, onDuty: { windows: [{ days: [1, 2, 3, 4, 5] }] } });
    expect(directory.byPlatformUser('feishu', 'on_zhaolei')).toMatchObject({ id: 'zhao.lei', language: 'en', manager: 'li.na' });
    const version = directory.version;

    const again = await applyDirectory(db, seedOf(PEOPLE), { actor: 'cli:ops', source: 'people.yaml' });
    expect(again).toMatchObject({ added: [], changed: [], unchanged: 2, identities: { added: 0, moved: [] } });
    expect((await listDirectory(db)).version).toBe(version);

    const changed = await applyDirectory(db, seedOf(PEOPLE.replace('regions: [hangzhou]', 'regions: [hangzhou, ningbo]')), { actor: 'cli:ops', source: 'people.yaml' });
    expect(changed.changed).toEqual([{ id: 'zhao.lei', fields: ['regions'] }]);
    expect(directory.get('zhao.lei')?.regions).toEqual(['hangzhou', 'ningbo']);

    const rows = await auditRows(db, 'directory.import');
    expect(rows.map((r) => r.details.counts)).toEqual([
      { added: 2, changed: 0, disabled: 0, enabled: 0, unchanged: 0, identitiesAdded: 5, identitiesMoved: 0 },
      { added: 0, changed: 0, disabled: 0, enabled: 0, unchanged: 2, identitiesAdded: 0, identitiesMoved: 0 },
      { added: 0, changed: 1, disabled: 0, enabled: 0, unchanged: 1, identitiesAdded: 0, identitiesMoved: 0 },
    ]);
    expect(rows[0]).toMatchObject({ actor: 'cli:ops', subject: 'people.yaml', details: { added: ['li.na', 'zhao.lei'] } });
    expect(JSON.stringify(rows)).not.toMatch(/李娜|赵雷/);
    // A dry run reports and writes nothing.
    const dry = await applyDirectory(db, seedOf(PEOPLE.replace('name: 赵雷', 'name: 赵磊').replace('regions: [hangzhou]', 'regions: [hangzhou, ningbo]')), { actor: 'cli:ops', source: 'people.yaml', dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, changed: [{ id: 'zhao.lei', fields: ['name'] }] });
    expect(directory.get('zhao.lei')?.name).toBe('赵雷');
    expect(await auditRows(db, 'directory.import')).toHaveLength(3);
  });

  it('disables a leaver at once: no lookup returns them, a re-import does not bring them back, enable does', async () => {
    expect(await setPrincipalActive(db, 'zhao.lei', false, { actor: 'cli:ops', reason: 'left; new number 13812345678' })).toEqual({ changed: true });
    expect(directory.get('zhao.lei')).toBeUndefined();
    expect(directory.byPlatformUser('feishu', 'on_zhaolei')).toBeUndefined();
    expect(directory.byPlatformUser('console', 'zhao.lei')).toBeUndefined();
    expect(directory.all().map((p) => p.id)).not.toContain('zhao.lei');
    expect(directory.platformIdsOf('feishu', 'zhao.lei')).toEqual([]);
    const [disabled] = await auditRows(db, 'directory.disable');
    expect(disabled).toMatchObject({ actor: 'cli:ops', subject: 'zhao.lei' });
    expect(JSON.stringify(disabled)).not.toContain('13812345678');
    expect((await listDirectory(db)).people.find((p) => p.id === 'zhao.lei')).toMatchObject({ active: false, disabledReason: expect.not.stringContaining('13812345678') });

    // The file that listed them still lists them; importing it again keeps them disabled.
    await applyDirectory(db, seedOf(PEOPLE.replace('regions: [hangzhou]', 'regions: [hangzhou, ningbo]')), { actor: 'cli:ops', source: 'people.yaml' });
    expect(directory.get('zhao.lei')).toBeUndefined();
    // A file can say so too, and say the opposite.
    expect((await applyDirectory(db, seedOf(PEOPLE.replace('    language: en', '    language: en\n    active: true')), { actor: 'cli:ops', source: 'people.yaml' })).enabled).toEqual(['zhao.lei']);
    expect(directory.get('zhao.lei')?.regions).toEqual(['hangzhou']);
    expect(await setPrincipalActive(db, 'zhao.lei', true, { actor: 'cli:ops' })).toEqual({ changed: false });
  });

  it('keeps what a seed leaves out: the original JSON file or the demo people never reset language, manager or roster', async () => {
    const legacy = parseDirectoryText(JSON.stringify({ principals: [{ id: 'zhao.lei', name: '赵雷', roles: ['field_tech'], department: 'noc', regions: ['hangzhou'] }] }), 'json', 'd.json');
    const r = await applyDirectory(db, legacy, { actor: 'switchboard', source: 'DIRECTORY_FILE d.json', audit: 'changes' });
    expect(r).toMatchObject({ changed: [], unchanged: 1 });
    expect(directory.get('zhao.lei')).toMatchObject({ language: 'en', manager: 'li.na' });
    const roster = directory.get('li.na')?.onDuty;
    await seedDirectory(db, { departments: [], principals: [{ id: 'li.na', name: '李娜', roles: ['manager'], department: 'noc', regions: ['*'] }], identities: [] });
    expect(directory.get('li.na')?.onDuty).toEqual(roster);
    // Nothing changed, so the start-up import wrote no audit row.
    expect((await auditRows(db, 'directory.import')).filter((x) => x.actor === 'switchboard')).toEqual([]);
  });

  it('maps, moves and unmaps identities, audited; refuses what would break the directory, writing nothing', async () => {
    const aad = '1a2b3c4d-0000-4000-8000-0000000000ff';
    expect(await mapIdentity(db, { principalId: 'zhao.lei', channel: 'teams', platformUserId: aad }, { actor: 'cli:ops' })).toEqual({ changed: true, movedFrom: null });
    expect(directory.byPlatformUser('teams', aad)?.id).toBe('zhao.lei');
    expect(await mapIdentity(db, { principalId: 'li.na', channel: 'teams', platformUserId: aad }, { actor: 'cli:ops' })).toEqual({ changed: true, movedFrom: 'zhao.lei' });
    expect(directory.byPlatformUser('teams', aad)?.id).toBe('li.na');
    expect(await unmapIdentity(db, { channel: 'teams', platformUserId: aad }, { actor: 'cli:ops' })).toEqual({ removedFrom: 'li.na' });
    expect(directory.byPlatformUser('teams', aad)).toBeUndefined();
    expect((await auditRows(db, 'directory.map')).map((r) => r.details.movedFrom)).toEqual([null, 'zhao.lei']);
    expect(await auditRows(db, 'directory.unmap')).toHaveLength(1);
    await expect(mapIdentity(db, { principalId: 'ghost', channel: 'teams', platformUserId: aad }, { actor: 'cli:ops' })).rejects.toThrow(/no principal "ghost"/);

    const before = await listDirectory(db);
    await expect(applyDirectory(db, seedOf(PEOPLE.replace('department: noc\n    regions: [hangzhou]', 'department: nowhere\n    regions: [hangzhou]')), { actor: 'cli:ops', source: 'x.yaml' })).rejects.toThrow(
      /zhao\.lei: department "nowhere" is unknown/,
    );
    const loop = PEOPLE.replace("regions: ['*']", "regions: ['*']\n    manager: zhao.lei");
    await expect(applyDirectory(db, seedOf(loop), { actor: 'cli:ops', source: 'x.yaml' })).rejects.toThrow(DirectoryChangeError);
    await expect(applyDirectory(db, seedOf(loop), { actor: 'cli:ops', source: 'x.yaml' })).rejects.toThrow(/manager chain loops \(li\.na -> zhao\.lei -> li\.na\)/);
    expect(await listDirectory(db)).toEqual(before);
  });

  it('stays consistent under concurrent imports, maps and disables (more writers than connections, two pools)', async () => {
    const other = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 }).catch(() => undefined);
    // PGlite: one process per data dir, so the second "process" is this one's pool again.
    const dbs = [db, other ?? db];
    const n = 16;
    const person = (i: number) => `
people:
  - { id: p${i}, name: 人${i}, roles: [cs_agent], department: noc, regions: [hangzhou], feishu_open_id: ou_p${i} }`;
    const before = (await auditRows(db, 'directory.import')).length;
    try {
      const jobs = Array.from({ length: n }, (_, i) => {
        const d = dbs[i % 2]!;
        return (async () => {
          await applyDirectory(d, seedOf(person(i)), { actor: 'cli:ops', source: `p${i}.yaml` });
          // Each person also gets a Teams id, and every third one leaves again.
          await mapIdentity(d, { principalId: `p${i}`, channel: 'teams', platformUserId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }, { actor: 'cli:ops' });
          if (i % 3 === 0) await setPrincipalActive(d, `p${i}`, false, { actor: 'cli:ops' });
        })();
      });
      // And a second import of all of them at the same time, racing the first ones.
      jobs.push(applyDirectory(dbs[1]!, seedOf(`people:\n${Array.from({ length: n }, (_, i) => person(i).split('\n')[2]).join('\n')}`), { actor: 'cli:ops', source: 'all.yaml' }).then(() => undefined));
      await Promise.all(jobs);
    } finally {
      await other?.close();
    }
    await directory.reload();
    const listed = (await listDirectory(db)).people.filter((p) => /^p\d+$/.test(p.id));
    expect(listed).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const p = listed.find((x) => x.id === `p${i}`)!;
      expect(p.identities.map((x) => x.platformUserId).sort()).toEqual([`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `ou_p${i}`, `p${i}`].sort());
      expect(p.active).toBe(i % 3 !== 0);
      expect(!!directory.get(`p${i}`)).toBe(i % 3 !== 0);
    }
    // Every person was added exactly once, by one import or the other.
    const imports = (await auditRows(db, 'directory.import')).slice(before);
    expect(imports).toHaveLength(n + 1);
    expect(imports.flatMap((r) => r.details.added as string[]).sort()).toEqual(Array.from({ length: n }, (_, i) => `p${i}`).sort());
    expect(await auditRows(db, 'directory.disable')).toHaveLength(1 + Math.ceil(n / 3));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    const stats = db.poolStats();
    expect(stats.idle).toBe(stats.total);
  });
});

describe.each(kinds)('npm run directory on %s', (kind) => {
  let tdb: TestDatabase;
  let env: Record<string, string>;
  let dir: string;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDirectoryCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    env = { AUDIT_KEY: TEST_AUDIT_KEY, ...tdb.env };
    // The app has run once (it creates and migrates the database).
    const db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 1 });
    await migrate(db);
    await db.close();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-dircli-'));
    fs.writeFileSync(path.join(dir, 'people.yaml'), PEOPLE);
    fs.writeFileSync(
      path.join(dir, 'people.csv'),
      'id,name,roles,department,regions,teams_object_id\nwu.fang,吴芳,cs_agent,noc,hangzhou,2B2B2B2B-0000-4000-8000-000000000002\nbad,坏,root,noc,hangzhou,\n',
    );
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('imports, lists, maps, disables and enables, each audited as cli:<actor>', async () => {
    expect(await cli('import', path.join(dir, 'people.yaml'), '--dry-run', '--actor', 'ops')).toMatchObject({ code: 0, out: expect.stringContaining('dry run, nothing written: would have added 2 (li.na, zhao.lei)') });
    expect(await cli('import', path.join(dir, 'people.yaml'), '--actor', 'ops')).toMatchObject({ code: 0, out: expect.stringContaining('added 2 (li.na, zhao.lei)') });
    const bad = await cli('import', path.join(dir, 'people.csv'), '--actor', 'ops');
    expect(bad).toMatchObject({ code: 1, err: expect.stringMatching(/refused, nothing was imported:\n {2}row 2 \(line 3\) \(bad\), column roles: Invalid option/) });
    expect(await cli('map', 'zhao.lei', 'teams', '2B2B2B2B-0000-4000-8000-000000000002', '--actor', 'ops')).toMatchObject({ code: 0, out: 'mapped teams_object_id 2b2b2b2b-0000-4000-8000-000000000002 to zhao.lei' });
    expect(await cli('map', 'zhao.lei', 'feishu-open', 'on_wrongkind')).toMatchObject({ code: 1, err: expect.stringContaining('not a feishu_open_id') });
    expect(await cli('map', 'zhao.lei', 'skype', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('unknown identity kind "skype"') });
    expect(await cli('disable', 'zhao.lei', '--reason', 'left the company', '--actor', 'ops')).toMatchObject({ code: 0, out: expect.stringContaining('disabled zhao.lei') });
    expect(await cli('disable', 'nobody')).toMatchObject({ code: 1, err: expect.stringContaining('no principal "nobody"') });
    const text = await cli('list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/li\.na\s+李娜\s+active\s+manager\s+noc\s+\*\s+zh\s+mon-fri 09:00-18:00\s+feishu_open_id=ou_lina teams_object_id=1a2b3c4d-0000-4000-8000-000000000001/);
    expect(text.out).toMatch(/zhao\.lei\s+赵雷\s+DISABLED \d{4}-\d{2}-\d{2}\s+field_tech/);
    const json = JSON.parse((await cli('list', '--json')).out) as { people: { id: string; active: boolean }[] };
    expect(json.people.map((p) => [p.id, p.active])).toEqual([
      ['li.na', true],
      ['zhao.lei', false],
    ]);
    expect(await cli('enable', 'zhao.lei', '--actor', 'ops')).toMatchObject({ code: 0, out: 'enabled zhao.lei' });
    expect(await cli('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });

    const db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 1 });
    try {
      const rows = await db.query<{ actor: string; action: string; subject: string }>("SELECT actor, action, subject FROM audit_log WHERE action LIKE 'directory.%' ORDER BY id");
      expect(rows.rows).toEqual([
        { actor: 'cli:ops', action: 'directory.import', subject: 'people.yaml' },
        { actor: 'cli:ops', action: 'directory.map', subject: 'zhao.lei' },
        { actor: 'cli:ops', action: 'directory.disable', subject: 'zhao.lei' },
        { actor: 'cli:ops', action: 'directory.enable', subject: 'zhao.lei' },
      ]);
    } finally {
      await db.close();
    }
  });

  it(kind === 'pglite' ? 'says what to do while the app holds the embedded database' : 'works while another process has the database open', async () => {
    const app = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 1 });
    try {
      const r = await cli('disable', 'li.na', '--actor', 'ops');
      if (kind === 'pglite') {
        expect(r).toMatchObject({ code: 2, err: expect.stringContaining('The running app holds the embedded database') });
        expect(r.err).toMatch(/stop the app.*or run Switchboard on PostgreSQL \(DATABASE_URL\)/s);
        expect(r.err).toContain('运行中的 Switchboard 独占了内嵌数据库');
      } else {
        expect(r).toMatchObject({ code: 0, out: expect.stringContaining('disabled li.na') });
      }
    } finally {
      await app.close();
    }
  });
});
