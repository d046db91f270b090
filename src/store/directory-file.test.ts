import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryFileError, parseDirectoryText, readDirectoryFile } from './directory-file.js';
import { parseCsv } from '../lib/csv.js';

const YAML_GOOD = `# the Hangzhou customer-service team
departments:
  - id: cs-hangzhou
    name: { zh: 杭州客服中心, en: Hangzhou Customer Service }
people:
  - id: wang.li
    name: 王丽
    roles: [manager]
    department: cs-hangzhou
    regions: [hangzhou]
    language: zh
    on_duty: mon-fri 09:00-18:00; sat 10:00-14:00
    teams_object_id: 3F2A9C1E-0000-4000-8000-00000000AA01
    feishu_open_id: ou_7d8a6e6df7621556ce0d21922b676706ccs
    feishu_union_id: on_8ed6aa67826108097d9ee143816345
  - id: zhang.wei
    name: 张伟
    roles: [cs_agent]
    department: cs-hangzhou
    regions: [hangzhou]
    language: en
    manager: wang.li
    on_duty: [always]
    oidc_subject: 4b0c6c2e-subject
`;

const CSV_GOOD = [
  'id,name,roles,department,regions,language,manager,on_duty,active,teams_object_id,feishu_open_id,feishu_union_id,department_name_zh,department_name_en',
  'wang.li,王丽,manager,cs-hangzhou,hangzhou,zh,,"mon-fri 09:00-18:00; sat 10:00-14:00",,3f2a9c1e-0000-4000-8000-00000000aa01,ou_7d8a6e6df7621556ce0d21922b676706ccs,on_8ed6aa67826108097d9ee143816345,杭州客服中心,Hangzhou Customer Service',
  '',
  'zhang.wei,"Zhang, Wei",cs_agent;field_tech,cs-hangzhou,hangzhou;ningbo,en,wang.li,fri-mon 22:00-06:00,false,,ou_a1;ou_b2,,杭州客服中心,Hangzhou Customer Service',
].join('\r\n');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DirectoryFileError) return err.problems;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('directory files', () => {
  it('reads a YAML file: people, departments, rosters and every kind of identity', () => {
    const seed = parseDirectoryText(YAML_GOOD, 'yaml', 'people.yaml');
    expect(seed.departments).toEqual([{ id: 'cs-hangzhou', name: { zh: '杭州客服中心', en: 'Hangzhou Customer Service' } }]);
    expect(seed.principals[0]).toEqual({
      id: 'wang.li',
      name: '王丽',
      roles: ['manager'],
      department: 'cs-hangzhou',
      regions: ['hangzhou'],
      language: 'zh',
      manager: null,
      onDuty: {
        timezone: 'Asia/Shanghai',
        windows: [
          { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
          { days: [6], from: '10:00', to: '14:00' },
        ],
      },
    });
    // active absent: an existing person keeps their state.
    expect('active' in seed.principals[0]!).toBe(false);
    expect(seed.principals[1]).toMatchObject({ id: 'zhang.wei', language: 'en', manager: 'wang.li', onDuty: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } });
    expect(seed.identities).toEqual([
      // Teams object ids are kept in lower case, as the signed activity carries them.
      { channel: 'teams', platformUserId: '3f2a9c1e-0000-4000-8000-00000000aa01', principalId: 'wang.li' },
      { channel: 'feishu', platformUserId: 'ou_7d8a6e6df7621556ce0d21922b676706ccs', principalId: 'wang.li' },
      { channel: 'feishu', platformUserId: 'on_8ed6aa67826108097d9ee143816345', principalId: 'wang.li' },
      { channel: 'oidc', platformUserId: '4b0c6c2e-subject', principalId: 'zhang.wei' },
      { channel: 'console', platformUserId: 'wang.li', principalId: 'wang.li' },
      { channel: 'console', platformUserId: 'zhang.wei', principalId: 'zhang.wei' },
    ]);
  });

  it('reads a CSV file: quoted fields, lists split on ";", departments from columns, blank lines skipped', () => {
    const seed = parseDirectoryText(CSV_GOOD, 'csv', 'people.csv');
    expect(seed.departments).toEqual([{ id: 'cs-hangzhou', name: { zh: '杭州客服中心', en: 'Hangzhou Customer Service' } }]);
    expect(seed.principals.map((p) => p.id)).toEqual(['wang.li', 'zhang.wei']);
    expect(seed.principals[1]).toMatchObject({
      name: 'Zhang, Wei',
      roles: ['cs_agent', 'field_tech'],
      regions: ['hangzhou', 'ningbo'],
      manager: 'wang.li',
      active: false,
      onDuty: { windows: [{ days: [1, 5, 6, 7], from: '22:00', to: '06:00' }] },
    });
    expect(seed.identities.filter((i) => i.principalId === 'zhang.wei' && i.channel === 'feishu').map((i) => i.platformUserId)).toEqual(['ou_a1', 'ou_b2']);
  });

  it('the same people from YAML and CSV give the same seed', () => {
    const yaml = parseDirectoryText(YAML_GOOD.replace('3F2A9C1E-0000-4000-8000-00000000AA01', '3f2a9c1e-0000-4000-8000-00000000aa01'), 'yaml', 'a');
    const csv = parseDirectoryText(CSV_GOOD, 'csv', 'b');
    expect(csv.principals[0]).toEqual(yaml.principals[0]);
    expect(csv.identities.filter((i) => i.principalId === 'wang.li')).toEqual(yaml.identities.filter((i) => i.principalId === 'wang.li'));
  });

  it('refuses a bad YAML file naming the line and the field of every problem', () => {
    const bad = YAML_GOOD.replace('roles: [cs_agent]', 'roles: [cs_agent, root]')
      .replace('teams_object_id: 3F2A9C1E-0000-4000-8000-00000000AA01', 'teams_object_id: alice@contoso.com')
      .replace('    language: en\n', '    language: en\n    manger: wang.li\n');
    const found = problems(() => parseDirectoryText(bad, 'yaml', 'people.yaml'));
    expect(found).toEqual([
      expect.stringMatching(/^line 13, people\[0\]\.teams_object_id\[0\] \(wang\.li\): expected a GUID/),
      expect.stringMatching(/^line 18, people\[1\]\.roles\[1\] \(zhang\.wei\): Invalid option/),
      expect.stringMatching(/^line 22, people\[1\]\.manger \(zhang\.wei\): Unrecognized key: "manger"/),
    ]);
    expect(problems(() => parseDirectoryText('people:\n  - id: x\n    name: [unclosed\n', 'yaml', 'p.yaml'))[0]).toMatch(/^line \d+: /);
    expect(problems(() => parseDirectoryText(YAML_GOOD.replace('on_duty: mon-fri 09:00-18:00; sat 10:00-14:00', 'on_duty: weekdays 9-6'), 'yaml', 'p'))).toEqual([
      expect.stringMatching(/^line 12, people\[0\]\.on_duty \(wang\.li\): "weekdays 9-6": expected days and hours/),
    ]);
    expect(problems(() => parseDirectoryText(YAML_GOOD.replace('    manager: wang.li\n', '    manager: zhang.wei\n'), 'yaml', 'p'))).toEqual([
      expect.stringMatching(/people\[1\]\.manager \(zhang\.wei\): a person cannot be their own manager/),
    ]);
  });

  it('refuses a bad CSV file naming the row, the line and the column', () => {
    const rows = CSV_GOOD.split('\r\n');
    const bad = (row3: string) => [rows[0], rows[1], rows[2], row3].join('\n');
    expect(problems(() => parseDirectoryText(bad(rows[3]!.replace('cs_agent;field_tech', 'cs_agent;boss')), 'csv', 'p.csv'))).toEqual([
      expect.stringMatching(/^row 2 \(line 4\) \(zhang\.wei\), column roles: Invalid option/),
    ]);
    expect(problems(() => parseDirectoryText(bad(rows[3]!.replace(',false,', ',maybe,')), 'csv', 'p.csv'))).toEqual(['row 2 (line 4), column active: "maybe" is not true or false']);
    expect(problems(() => parseDirectoryText(bad(rows[3]!.replace('ou_a1;ou_b2', 'on_a1')), 'csv', 'p.csv'))).toEqual([
      expect.stringMatching(/^row 2 \(line 4\) \(zhang\.wei\), column feishu_open_id: expected ou_/),
    ]);
    expect(problems(() => parseDirectoryText(bad(`${rows[3]},extra`), 'csv', 'p.csv'))).toEqual(['row 2 (line 4): 15 fields, the header has 14']);
    expect(problems(() => parseDirectoryText(bad(rows[1]!), 'csv', 'p.csv'))).toEqual(['row 2 (line 4): id "wang.li" is listed twice (first at row 1 (line 2))']);
    expect(problems(() => parseDirectoryText(CSV_GOOD.replace('department_name_en', 'dept'), 'csv', 'p.csv'))).toEqual([expect.stringMatching(/^line 1: unknown column "dept"/)]);
    expect(problems(() => parseDirectoryText('id,name\nx,y\n', 'csv', 'p.csv'))).toEqual(['line 1: missing column "roles"', 'line 1: missing column "department"', 'line 1: missing column "regions"']);
    expect(problems(() => parseDirectoryText(bad(rows[3]!.replace('"Zhang, Wei"', '"Zhang, Wei')), 'csv', 'p.csv'))).toEqual(['line 4: a quoted field is never closed']);
    expect(problems(() => parseDirectoryText(bad(rows[3]!.replace('"Zhang, Wei"', 'Zhang "W"')), 'csv', 'p.csv'))).toEqual([expect.stringMatching(/^line 4: a quote inside an unquoted field/)]);
  });

  it('reads the original JSON DIRECTORY_FILE, and a file by its extension', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-dirfile-'));
    fs.writeFileSync(path.join(dir, 'd.yml'), YAML_GOOD);
    fs.writeFileSync(path.join(dir, 'd.csv'), CSV_GOOD);
    fs.writeFileSync(path.join(dir, 'd.json'), JSON.stringify({ principals: [{ id: 'a', name: 'A', roles: ['manager'], department: 'x', regions: ['*'], onDuty: 'sun 08:00-20:00' }] }));
    expect(readDirectoryFile(path.join(dir, 'd.yml')).principals).toHaveLength(2);
    expect(readDirectoryFile(path.join(dir, 'd.csv')).principals).toHaveLength(2);
    const legacy = readDirectoryFile(path.join(dir, 'd.json')).principals[0]!;
    expect(legacy).toMatchObject({ id: 'a', onDuty: { windows: [{ days: [7] }] } });
    // Fields the JSON leaves out are left as they are in the directory.
    expect('language' in legacy || 'manager' in legacy || 'active' in legacy).toBe(false);
    expect(() => readDirectoryFile(path.join(dir, 'missing.yaml'))).toThrow(/DIRECTORY_FILE .*missing\.yaml: ENOENT/);
  });
});

describe('csv reader', () => {
  it('keeps quoted commas, doubled quotes and line breaks, and the line each row starts on', () => {
    expect(parseCsv('\uFEFFa,b\n"x, y","say ""hi""\nthere"\n\nlast,\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });
});
