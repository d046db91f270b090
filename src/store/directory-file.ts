/**
 * Directory files: the people Switchboard knows and the identities that name them on each
 * channel, as an operator writes them. Read by `npm run directory -- import FILE` and, at start,
 * from DIRECTORY_FILE. Three formats, told apart by the file's extension:
 *
 * - YAML (.yaml, .yml): `departments:` and `people:`, one mapping per person (README "Adding real people");
 * - CSV (.csv): one row per person, a header row naming the columns (the same keys as YAML);
 * - JSON (anything else): the original DIRECTORY_FILE shape (`principals` + `identities`), kept
 *   working; a JSON or YAML document with `people:` is read like the YAML form.
 *
 * Everything is checked with zod; a bad file is refused whole, each problem naming its line (YAML,
 * CSV) or its path (JSON) and the field. Everyone listed can use the console with their principal
 * id as console user id; an `oidc` identity maps a login (the provider's subject, or the claim
 * OIDC_PRINCIPAL_CLAIM names) to that person.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Department, PlatformIdentity, Principal, Role } from '../policies/principals.js';
import { DEFAULT_ROSTER_TIMEZONE, parseRoster } from '../policies/roster.js';
import { parseCsv, CsvError } from '../lib/csv.js';

export interface DirectorySeed {
  departments: Department[];
  /** `active` absent: an existing person keeps their state, a new one is active. */
  principals: Principal[];
  identities: PlatformIdentity[];
}

/** A file that cannot be imported; `problems` lists every problem found, each with its place. */
export class DirectoryFileError extends Error {
  override readonly name = 'DirectoryFileError';
  constructor(
    readonly label: string,
    readonly problems: string[],
  ) {
    super(`${label}: ${problems.join('; ')}`);
  }
}

const ROLES = ['cs_agent', 'field_tech', 'manager', 'auditor', 'admin'] as const satisfies readonly Role[];
const id = z.string().trim().min(1).max(128);
const principalId = id.regex(/^[\w.@-]+$/, 'letters, digits and . @ - _ only');
const deptName = z.object({ zh: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const departmentSchema = z.object({ id, name: deptName });

/** The kinds of platform id a person can be mapped by, their channel and their shape. */
export const IDENTITY_KINDS = {
  // Teams puts the Entra (AAD) object id, a GUID, in from.aadObjectId of the signed activity.
  teams_object_id: { channel: 'teams', shape: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, hint: 'a GUID such as 3f2a…-…' },
  // Feishu: open_id (per app) starts ou_, union_id (per developer account) starts on_.
  feishu_open_id: { channel: 'feishu', shape: /^ou_[0-9A-Za-z_]+$/, hint: 'ou_ followed by letters and digits' },
  feishu_union_id: { channel: 'feishu', shape: /^on_[0-9A-Za-z_]+$/, hint: 'on_ followed by letters and digits' },
  oidc_subject: { channel: 'oidc', shape: /^[^\s]{1,255}$/, hint: 'the ID token claim OIDC_PRINCIPAL_CLAIM names, no spaces' },
} as const;
export type IdentityKind = keyof typeof IDENTITY_KINDS;

/** Normalize a platform id of a kind (Teams object ids in lower case, as the signed activity carries them). */
export function normalizePlatformId(kind: IdentityKind, raw: string): string {
  const v = raw.trim();
  return kind === 'teams_object_id' ? v.toLowerCase() : v;
}

const platformIds = (kind: IdentityKind) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(IDENTITY_KINDS[kind].shape, `expected ${IDENTITY_KINDS[kind].hint}`)))
    .optional();

/** One person in the YAML `people:` list or one CSV row (after its cells are split). */
const personSchema = z
  .object({
    id: principalId,
    name: z.string().trim().min(1).max(200),
    roles: z.array(z.enum(ROLES)).min(1, 'at least one role'),
    department: id,
    regions: z.array(z.string().trim().min(1)).min(1, "at least one region ('*' for all)"),
    language: z.enum(['zh', 'en']).default('zh'),
    manager: principalId.nullable().optional(),
    on_duty: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    timezone: z.string().trim().min(1).optional(),
    active: z.boolean().optional(),
    teams_object_id: platformIds('teams_object_id'),
    feishu_open_id: platformIds('feishu_open_id'),
    feishu_union_id: platformIds('feishu_union_id'),
    oidc_subject: platformIds('oidc_subject'),
    department_name_zh: z.string().trim().min(1).optional(),
    department_name_en: z.string().trim().min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.manager === p.id) ctx.addIssue({ code: 'custom', path: ['manager'], message: 'a person cannot be their own manager' });
    if (p.on_duty != null) {
      try {
        parseRoster(Array.isArray(p.on_duty) ? p.on_duty.join('; ') : p.on_duty, p.timezone ?? DEFAULT_ROSTER_TIMEZONE);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['on_duty'], message: (err as Error).message });
      }
    } else if (p.timezone !== undefined) {
      try {
        parseRoster('', p.timezone);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['timezone'], message: (err as Error).message });
      }
    }
    if ((p.department_name_zh === undefined) !== (p.department_name_en === undefined)) {
      ctx.addIssue({ code: 'custom', path: [p.department_name_zh === undefined ? 'department_name_zh' : 'department_name_en'], message: 'give both department_name_zh and department_name_en, or neither' });
    }
  });
type Person = z.infer<typeof personSchema>;

const peopleFileSchema = z.object({ departments: z.array(departmentSchema).default([]), people: z.array(z.unknown()).min(1, 'no people listed') }).strict();

/** The original DIRECTORY_FILE (JSON) shape, with the newer fields optional (absent: left as they are). */
const legacySchema = z.object({
  departments: z.array(departmentSchema).default([]),
  principals: z.array(
    z.object({
      id: principalId,
      name: z.string().trim().min(1),
      roles: z.array(z.enum(ROLES)),
      department: id,
      regions: z.array(z.string().min(1)).min(1),
      language: z.enum(['zh', 'en']).optional(),
      manager: principalId.nullable().optional(),
      onDuty: z.string().nullable().optional(),
      timezone: z.string().optional(),
      active: z.boolean().optional(),
    }),
  ),
  identities: z.array(z.object({ channel: z.enum(['oidc', 'teams', 'feishu', 'console']), platformUserId: id, principalId: id })).default([]),
});

type Format = 'yaml' | 'csv' | 'json';

export function formatOf(file: string): Format {
  const ext = path.extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.csv' ? 'csv' : 'json';
}

/** Read, parse and check a directory file; a DirectoryFileError names every problem. */
export function readDirectoryFile(file: string, label = `DIRECTORY_FILE ${file}`): DirectorySeed {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DirectoryFileError(label, [(err as Error).message]);
  }
  return parseDirectoryText(text, formatOf(file), label);
}

export function parseDirectoryText(text: string, format: Format, label: string): DirectorySeed {
  if (format === 'csv') return fromPeople(label, [], csvPeople(text, label));
  if (format === 'json') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new DirectoryFileError(label, [(err as Error).message]);
    }
    if (raw && typeof raw === 'object' && 'people' in raw) return fromPeopleDocument(label, raw, (p) => p.join('.'));
    return fromLegacy(label, raw);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new DirectoryFileError(label, doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));
  }
  const raw: unknown = doc.toJS();
  const where = (p: readonly PropertyKey[]) => yamlPlace(doc, lines, p);
  if (raw && typeof raw === 'object' && 'principals' in raw && !('people' in raw)) return fromLegacy(label, raw, where);
  return fromPeopleDocument(label, raw, where);
}

/** "line 12, people[3].roles[0]" for a zod path into a YAML document. */
function yamlPlace(doc: Document, lines: LineCounter, p: readonly PropertyKey[]): string {
  // The deepest node that exists (a missing field is reported at its person).
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line } = lines.linePos(node.range[0]);
      return `line ${line}, ${pathText(p)}`;
    }
  }
  return pathText(p);
}

function pathText(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(top level)';
}

function fromPeopleDocument(label: string, raw: unknown, where: (p: readonly PropertyKey[]) => string): DirectorySeed {
  const top = peopleFileSchema.safeParse(raw);
  if (!top.success) throw new DirectoryFileError(label, top.error.issues.map((i) => `${where(i.path)}: ${i.message}`));
  const people: Person[] = [];
  const problems: string[] = [];
  top.data.people.forEach((entry, n) => {
    const r = personSchema.safeParse(entry);
    if (r.success) people.push(r.data);
    else {
      for (const i of r.error.issues) {
        // An unknown key (a typo such as "manger") is placed at the key itself.
        const at = i.code === 'unrecognized_keys' && i.keys[0] !== undefined ? [...i.path, i.keys[0]] : i.path;
        problems.push(`${where(['people', n, ...at])}${personLabel(entry)}: ${i.message}`);
      }
    }
  });
  if (problems.length > 0) throw new DirectoryFileError(label, problems);
  return fromPeople(
    label,
    top.data.departments,
    people.map((p, n) => ({ person: p, place: where(['people', n]) })),
  );
}

function personLabel(entry: unknown): string {
  const pid = entry && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
  return typeof pid === 'string' ? ` (${pid})` : '';
}

const CSV_LISTS = new Set(['roles', 'regions', 'teams_object_id', 'feishu_open_id', 'feishu_union_id', 'oidc_subject']);
const CSV_COLUMNS = Object.keys(personSchema.shape);

/** CSV rows as people: lists in a cell are separated by ';' (roles, regions, ids); empty cells are absent. */
function csvPeople(text: string, label: string): { person: Person; place: string }[] {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new DirectoryFileError(label, [err.message]);
    throw err;
  }
  const [header, ...body] = rows;
  if (!header) throw new DirectoryFileError(label, ['empty file (expected a header row: id,name,roles,department,regions,…)']);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (!CSV_COLUMNS.includes(c)) problems.push(`line ${header.line}: unknown column "${c}" (columns: ${CSV_COLUMNS.join(', ')})`);
    if (seen.has(c)) problems.push(`line ${header.line}: column "${c}" appears twice`);
    seen.add(c);
  }
  for (const required of ['id', 'name', 'roles', 'department', 'regions']) {
    if (!columns.includes(required)) problems.push(`line ${header.line}: missing column "${required}"`);
  }
  if (problems.length > 0) throw new DirectoryFileError(label, problems);
  if (body.length === 0) throw new DirectoryFileError(label, ['no people listed (only a header row)']);

  const out: { person: Person; place: string }[] = [];
  body.forEach((row, n) => {
    const place = `row ${n + 1} (line ${row.line})`;
    if (row.fields.length !== columns.length) {
      problems.push(`${place}: ${row.fields.length} fields, the header has ${columns.length}`);
      return;
    }
    const obj: Record<string, unknown> = {};
    const cellProblems: string[] = [];
    columns.forEach((c, k) => {
      const cell = row.fields[k]!.trim();
      if (cell === '') return;
      if (CSV_LISTS.has(c)) obj[c] = cell.split(';').map((x) => x.trim()).filter(Boolean);
      else if (c === 'active') {
        const b = /^(true|yes|1)$/i.test(cell) ? true : /^(false|no|0)$/i.test(cell) ? false : undefined;
        if (b === undefined) cellProblems.push(`${place}, column active: "${cell}" is not true or false`);
        else obj[c] = b;
      } else obj[c] = cell;
    });
    const r = personSchema.safeParse(obj);
    const pid = typeof obj.id === 'string' ? ` (${obj.id})` : '';
    if (!r.success) for (const i of r.error.issues) cellProblems.push(`${place}${pid}, column ${String(i.path[0] ?? '?')}: ${i.message}`);
    problems.push(...cellProblems);
    if (r.success && cellProblems.length === 0) out.push({ person: r.data, place });
  });
  if (problems.length > 0) throw new DirectoryFileError(label, problems);
  return out;
}

function fromPeople(label: string, departments: Department[], people: { person: Person; place: string }[]): DirectorySeed {
  const problems: string[] = [];
  const depts = new Map(departments.map((d) => [d.id, d]));
  const principals: Principal[] = [];
  const identities: PlatformIdentity[] = [];
  const ids = new Map<string, string>();
  const platform = new Map<string, string>();
  for (const { person: p, place } of people) {
    const before = ids.get(p.id);
    if (before) problems.push(`${place}: id "${p.id}" is listed twice (first at ${before})`);
    ids.set(p.id, place);
    if (p.department_name_zh && p.department_name_en) {
      const d = { id: p.department, name: { zh: p.department_name_zh, en: p.department_name_en } };
      const known = depts.get(d.id);
      if (known && (known.name.zh !== d.name.zh || known.name.en !== d.name.en)) problems.push(`${place}: department "${d.id}" is named differently elsewhere in the file`);
      depts.set(d.id, d);
    }
    const onDuty = p.on_duty == null ? null : parseRoster(Array.isArray(p.on_duty) ? p.on_duty.join('; ') : p.on_duty, p.timezone ?? DEFAULT_ROSTER_TIMEZONE);
    principals.push({
      id: p.id,
      name: p.name,
      roles: [...new Set(p.roles)],
      department: p.department,
      regions: [...new Set(p.regions)],
      language: p.language,
      manager: p.manager ?? null,
      onDuty,
      ...(p.active !== undefined ? { active: p.active } : {}),
    });
    for (const kind of Object.keys(IDENTITY_KINDS) as IdentityKind[]) {
      for (const raw of p[kind] ?? []) {
        const platformUserId = normalizePlatformId(kind, raw);
        const { channel } = IDENTITY_KINDS[kind];
        const key = `${channel}/${platformUserId}`;
        const owner = platform.get(key);
        if (owner && owner !== p.id) problems.push(`${place}, ${kind}: ${platformUserId} is already given to "${owner}"`);
        if (owner) continue;
        platform.set(key, p.id);
        identities.push({ channel, platformUserId, principalId: p.id });
      }
    }
  }
  if (problems.length > 0) throw new DirectoryFileError(label, problems);
  return { departments: [...depts.values()], principals, identities: withConsole(identities, principals) };
}

function fromLegacy(label: string, raw: unknown, where: (p: readonly PropertyKey[]) => string = (p) => p.map(String).join('.')): DirectorySeed {
  const parsed = legacySchema.safeParse(raw);
  if (!parsed.success) throw new DirectoryFileError(label, parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`));
  const { departments, principals, identities } = parsed.data;
  const known = new Set(principals.map((p) => p.id));
  const stray = identities.find((i) => !known.has(i.principalId));
  if (stray) throw new DirectoryFileError(label, [`identity ${stray.channel}/${stray.platformUserId} names "${stray.principalId}", who is not in principals`]);
  const problems: string[] = [];
  const people: Principal[] = principals.map((p, n) => {
    let onDuty = null;
    try {
      onDuty = p.onDuty ? parseRoster(p.onDuty, p.timezone ?? DEFAULT_ROSTER_TIMEZONE) : null;
    } catch (err) {
      problems.push(`${where(['principals', n, 'onDuty'])}: ${(err as Error).message}`);
    }
    return {
      id: p.id,
      name: p.name,
      roles: p.roles,
      department: p.department,
      regions: p.regions,
      // Left out here, kept as they are in the directory (this file predates them).
      ...(p.language !== undefined ? { language: p.language } : {}),
      ...(p.manager !== undefined ? { manager: p.manager } : {}),
      ...(p.onDuty !== undefined ? { onDuty } : {}),
      ...(p.active !== undefined ? { active: p.active } : {}),
    };
  });
  if (problems.length > 0) throw new DirectoryFileError(label, problems);
  return { departments, principals: people, identities: withConsole(identities, people) };
}

/** The console names people by principal id (the session decides who, never the request). */
function withConsole(identities: PlatformIdentity[], principals: Principal[]): PlatformIdentity[] {
  return [...identities, ...principals.map((p) => ({ channel: 'console', platformUserId: p.id, principalId: p.id }))];
}
