/**
 * The directory of principals and their platform identities, kept in PostgreSQL so every replica
 * sees the same people. Lookups are served from memory and never return a disabled principal (a
 * leaver): every caller (turns, approvals, approver lists, the console) skips them with no code of
 * its own.
 *
 * Changes: every write to the directory tables bumps `directory_state.version` (a trigger,
 * migrations/011_directory.sql) and NOTIFYs it. A watching Directory (watch()) reloads on the
 * notification, and polls the version every few seconds in case a notification was missed (or on
 * PGlite, which has no other process to hear from). Writes made through this module reload this
 * process's directories before they return, so a leaver is refused here at once.
 */
import { z } from 'zod';
import type { Db, Queryable } from './db.js';
import type { Department, PlatformIdentity, Principal, Role, Roster } from '../policies/principals.js';
import { appendAuditInTx } from './audit.js';
import { maskText } from '../policies/masking.js';
import { formatRoster } from '../policies/roster.js';
import { DirectoryWatcher, type DirectoryLog } from './directory-watch.js';
import type { DirectorySeed, IdentityKind } from './directory-file.js';

const rosterSchema = z.object({
  timezone: z.string().min(1),
  windows: z.array(z.object({ days: z.array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)])), from: z.string(), to: z.string() })),
});

interface PrincipalRow {
  id: string;
  name: string;
  roles: Role[];
  department: string;
  regions: string[];
  active: boolean;
  language: 'zh' | 'en';
  manager: string | null;
  on_duty: unknown;
  disabled_at: Date | null;
  disabled_reason: string | null;
}
interface IdentityRow {
  channel: string;
  platform_user_id: string;
  principal_id: string;
  kind: string | null;
}

const PRINCIPAL_COLUMNS = 'id, name, roles, department, regions, active, language, manager, on_duty, disabled_at, disabled_reason';

function toPrincipal(r: PrincipalRow): Principal {
  const roster = r.on_duty == null ? null : rosterSchema.safeParse(r.on_duty);
  return {
    id: r.id,
    name: r.name,
    roles: r.roles,
    department: r.department,
    regions: r.regions,
    language: r.language,
    manager: r.manager,
    // A roster that does not read (edited by hand) counts as none rather than failing the directory.
    onDuty: roster?.success ? (roster.data as Roster) : null,
    active: r.active,
  };
}

/** The kind of id a platform identity holds (stored with it; shown by `directory list`). */
export function identityKind(channel: string, platformUserId: string): IdentityKind | 'console' | null {
  if (channel === 'teams') return 'teams_object_id';
  if (channel === 'oidc') return 'oidc_subject';
  if (channel === 'console') return 'console';
  if (channel === 'feishu') return platformUserId.startsWith('on_') ? 'feishu_union_id' : 'feishu_open_id';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The Directory instances of each Db in this process: a write reloads them before it returns. */
const live = new WeakMap<Db, Set<Directory>>();

export class Directory {
  private principals = new Map<string, Principal>();
  private identities = new Map<string, string>();
  private departments = new Map<string, Department>();
  private loaded = -1n;
  private watcher: DirectoryWatcher | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;
  private readonly listeners = new Set<(version: bigint) => void>();

  constructor(private readonly db: Db) {
    let set = live.get(db);
    if (!set) live.set(db, (set = new Set()));
    set.add(this);
  }

  /** The directory version this process serves (directory_state.version). */
  get version(): bigint {
    return this.loaded;
  }

  /** Read everything again, in one snapshot; a reload that finishes after a newer one is dropped. */
  async reload(): Promise<this> {
    const snapshot = await this.db.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const v = await c.query<{ version: string }>('SELECT version::text AS version FROM directory_state WHERE id = 1');
      const p = await c.query<PrincipalRow>(`SELECT ${PRINCIPAL_COLUMNS} FROM principals WHERE active`);
      const i = await c.query<IdentityRow>('SELECT channel, platform_user_id, principal_id, kind FROM platform_identities');
      const d = await c.query<{ id: string; name_zh: string; name_en: string }>('SELECT id, name_zh, name_en FROM departments');
      return { version: BigInt(v.rows[0]?.version ?? '0'), p: p.rows, i: i.rows, d: d.rows };
    });
    if (snapshot.version < this.loaded) return this;
    const changed = snapshot.version !== this.loaded;
    this.principals = new Map(snapshot.p.map((r) => [r.id, toPrincipal(r)]));
    this.identities = new Map(snapshot.i.map((r) => [`${r.channel}\u0000${r.platform_user_id}`, r.principal_id]));
    this.departments = new Map(snapshot.d.map((r) => [r.id, { id: r.id, name: { zh: r.name_zh, en: r.name_en } }]));
    this.loaded = snapshot.version;
    if (changed) for (const fn of [...this.listeners]) fn(snapshot.version);
    return this;
  }

  /** Reload now, or once more right after a reload in progress (notifications coalesce). */
  refresh(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          await this.reload();
        } while (this.again);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /**
   * Follow changes made anywhere: reload on the directory NOTIFY (PostgreSQL), and poll the
   * version every pollMs as well (a missed notification, a listener down, PGlite).
   */
  watch(opts: { pollMs: number; log: DirectoryLog; listen?: boolean }): this {
    if (this.watcher) return this;
    this.watcher = new DirectoryWatcher({
      db: this.db,
      pollMs: opts.pollMs,
      log: opts.log,
      listen: opts.listen ?? true,
      current: () => this.loaded,
      refresh: () => this.refresh(),
    });
    this.watcher.start();
    this.db.onClose(() => this.close());
    return this;
  }

  /** For /healthz: the version served and whether changes are heard at once (else polled). */
  stats(): { version: string; people: number; listening: boolean } {
    return { version: this.loaded.toString(), people: this.principals.size, listening: this.watcher?.listening ?? false };
  }

  /** Called with the new version whenever a reload brings a change. */
  onChange(fn: (version: bigint) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
    await this.reloading?.catch(() => undefined);
    live.get(this.db)?.delete(this);
  }

  byPlatformUser(channel: string, platformUserId: string): Principal | undefined {
    const id = this.identities.get(`${channel}\u0000${platformUserId}`);
    return id ? this.principals.get(id) : undefined;
  }

  get(id: string): Principal | undefined {
    return this.principals.get(id);
  }

  all(): Principal[] {
    return [...this.principals.values()];
  }

  department(id: string): Department | undefined {
    return this.departments.get(id);
  }

  /** Platform user ids of a principal on one channel (for proactive messages). */
  platformIdsOf(channel: string, principalId: string): string[] {
    if (!this.principals.has(principalId)) return [];
    const out: string[] = [];
    for (const [key, pid] of this.identities) {
      const [ch, uid] = key.split('\u0000');
      if (ch === channel && pid === principalId && uid) out.push(uid);
    }
    return out;
  }
}

async function reloadLocal(db: Db): Promise<void> {
  await Promise.all([...(live.get(db) ?? [])].map((d) => d.refresh()));
}

export interface DirectoryEntry extends Principal {
  active: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  identities: { channel: string; platformUserId: string; kind: string | null }[];
}

/** Everyone, leavers included, with their identities: what `directory list` prints. */
export async function listDirectory(db: Queryable): Promise<{ version: bigint; departments: Department[]; people: DirectoryEntry[] }> {
  const v = await db.query<{ version: string }>('SELECT version::text AS version FROM directory_state WHERE id = 1');
  const p = await db.query<PrincipalRow>(`SELECT ${PRINCIPAL_COLUMNS} FROM principals ORDER BY id`);
  const i = await db.query<IdentityRow>('SELECT channel, platform_user_id, principal_id, kind FROM platform_identities ORDER BY channel, platform_user_id');
  const d = await db.query<{ id: string; name_zh: string; name_en: string }>('SELECT id, name_zh, name_en FROM departments ORDER BY id');
  const byPrincipal = new Map<string, DirectoryEntry['identities']>();
  for (const r of i.rows) {
    let list = byPrincipal.get(r.principal_id);
    if (!list) byPrincipal.set(r.principal_id, (list = []));
    list.push({ channel: r.channel, platformUserId: r.platform_user_id, kind: r.kind ?? identityKind(r.channel, r.platform_user_id) });
  }
  return {
    version: BigInt(v.rows[0]?.version ?? '0'),
    departments: d.rows.map((r) => ({ id: r.id, name: { zh: r.name_zh, en: r.name_en } })),
    people: p.rows.map((r) => ({
      ...toPrincipal(r),
      active: r.active,
      disabledAt: r.disabled_at,
      disabledReason: r.disabled_reason,
      identities: byPrincipal.get(r.id) ?? [],
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing. Each change is one transaction: lock the directory (the directory_state row, so
// writers in every process go one at a time and each diff is computed against what it replaces),
// write what differs, audit it in the same transaction, commit; then reload this process.

/** Writers of this process queue here, so at most one pooled connection waits on the directory lock. */
const writeChains = new WeakMap<Db, Promise<unknown>>();

function serialized<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const prev = writeChains.get(db) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  writeChains.set(db, run.catch(() => undefined));
  return run;
}

async function lockDirectory(c: Queryable): Promise<void> {
  await c.query('SELECT version FROM directory_state WHERE id = 1 FOR UPDATE');
}

export class DirectoryChangeError extends Error {
  override readonly name = 'DirectoryChangeError';
}

/** Who made a change, as the audit names them: `cli:<user>`, `switchboard`, … */
export interface ChangeContext {
  actor: string;
}

export interface ImportReport {
  added: string[];
  changed: { id: string; fields: string[] }[];
  disabled: string[];
  enabled: string[];
  unchanged: number;
  departments: { added: string[]; changed: string[] };
  identities: { added: number; moved: { channel: string; platformUserId: string; from: string; to: string }[] };
  dryRun: boolean;
}

export function importChanged(r: ImportReport): boolean {
  return r.added.length + r.changed.length + r.disabled.length + r.enabled.length + r.departments.added.length + r.departments.changed.length + r.identities.added + r.identities.moved.length > 0;
}

class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

export interface ImportOptions extends ChangeContext {
  /** Where the people came from, for the audit (a file name, never its content). */
  source: string;
  dryRun?: boolean;
  /** 'always' (the CLI: every import is recorded), 'changes' (start-up: only when it changed something), 'never' (fixtures). */
  audit?: 'always' | 'changes' | 'never';
}

/** At most this many ids per list in an audit row (the counts are always complete). */
const AUDIT_ID_LIMIT = 200;
const capped = <T>(xs: T[]) => (xs.length > AUDIT_ID_LIMIT ? [...xs.slice(0, AUDIT_ID_LIMIT), `… ${xs.length - AUDIT_ID_LIMIT} more`] : xs);

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * Upsert departments, people and identities. Idempotent: what already matches is not written.
 * A person the seed marks `active: false` is disabled; `active` absent keeps their state (so a
 * re-import of an old roster file never brings a leaver back); so does any of language, manager
 * and onDuty left undefined (YAML and CSV always give them, defaulted; the JSON form may not). Nothing is deleted; an identity
 * already mapped to someone else is moved to the person the seed names.
 */
export function applyDirectory(db: Db, seed: DirectorySeed, opts: ImportOptions): Promise<ImportReport> {
  return serialized(db, async () => {
    let report: ImportReport;
    try {
      report = await db.tx(async (c) => {
        await lockDirectory(c);
        const r = await applyLocked(c, seed, !!opts.dryRun);
        const audit = opts.audit ?? 'always';
        if (!opts.dryRun && (audit === 'always' || (audit === 'changes' && importChanged(r)))) {
          await appendAuditInTx(c, {
            actor: opts.actor,
            action: 'directory.import',
            subject: opts.source,
            details: {
              source: opts.source,
              counts: { added: r.added.length, changed: r.changed.length, disabled: r.disabled.length, enabled: r.enabled.length, unchanged: r.unchanged, identitiesAdded: r.identities.added, identitiesMoved: r.identities.moved.length },
              added: capped(r.added),
              changed: capped(r.changed.map((x) => `${x.id}: ${x.fields.join(',')}`)),
              disabled: capped(r.disabled),
              enabled: capped(r.enabled),
              departments: r.departments,
              identitiesMoved: capped(r.identities.moved.map((m) => `${m.channel}/${m.platformUserId}: ${m.from} -> ${m.to}`)),
            },
          });
        }
        if (opts.dryRun) throw new DryRun(r);
        return r;
      });
    } catch (err) {
      if (err instanceof DryRun) return err.report;
      throw err;
    }
    await reloadLocal(db);
    return report;
  });
}

async function applyLocked(c: Queryable, seed: DirectorySeed, dryRun: boolean): Promise<ImportReport> {
  const report: ImportReport = { added: [], changed: [], disabled: [], enabled: [], unchanged: 0, departments: { added: [], changed: [] }, identities: { added: 0, moved: [] }, dryRun };

  const depts = new Map((await c.query<{ id: string; name_zh: string; name_en: string }>('SELECT id, name_zh, name_en FROM departments')).rows.map((r) => [r.id, r]));
  for (const d of seed.departments) {
    const cur = depts.get(d.id);
    if (cur && cur.name_zh === d.name.zh && cur.name_en === d.name.en) continue;
    (cur ? report.departments.changed : report.departments.added).push(d.id);
    await c.query(
      `INSERT INTO departments (id, name_zh, name_en) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
      [d.id, d.name.zh, d.name.en],
    );
    depts.set(d.id, { id: d.id, name_zh: d.name.zh, name_en: d.name.en });
  }

  const current = new Map((await c.query<PrincipalRow>(`SELECT ${PRINCIPAL_COLUMNS} FROM principals`)).rows.map((r) => [r.id, r]));
  const problems: string[] = [];
  // The manager graph as it will be: no unknown manager, no loop (escalation walks it).
  const managerOf = new Map<string, string | null>([...current.values()].map((r) => [r.id, r.manager]));
  for (const p of seed.principals) if (p.manager !== undefined || !managerOf.has(p.id)) managerOf.set(p.id, p.manager ?? null);
  for (const p of seed.principals) {
    if (!depts.has(p.department)) problems.push(`${p.id}: department "${p.department}" is unknown (list it under departments:, or give department_name_zh and department_name_en)`);
    if (p.manager && !managerOf.has(p.manager)) problems.push(`${p.id}: manager "${p.manager}" is not in the directory or the file`);
    const seen = new Set([p.id]);
    for (let m = managerOf.get(p.id); m; m = managerOf.get(m)) {
      if (seen.has(m)) {
        problems.push(`${p.id}: the manager chain loops (${[...seen, m].join(' -> ')})`);
        break;
      }
      seen.add(m);
    }
  }
  if (problems.length > 0) throw new DirectoryChangeError(problems.join('; '));

  for (const p of seed.principals) {
    const cur = current.get(p.id);
    // A field the seed leaves out (the original JSON file, the demo people) keeps its current value.
    const language = p.language ?? cur?.language ?? 'zh';
    const manager = p.manager === undefined ? (cur?.manager ?? null) : p.manager;
    const onDuty = p.onDuty === undefined ? (cur ? toPrincipal(cur).onDuty ?? null : null) : p.onDuty;
    if (!cur) {
      report.added.push(p.id);
      await c.query(
        `INSERT INTO principals (id, name, roles, department, regions, language, manager, on_duty, active, disabled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 THEN NULL ELSE now() END)`,
        [p.id, p.name, p.roles, p.department, p.regions, language, manager, onDuty === null ? null : JSON.stringify(onDuty), p.active ?? true],
      );
      if (p.active === false) report.disabled.push(p.id);
      continue;
    }
    const fields: string[] = [];
    if (cur.name !== p.name) fields.push('name');
    if (!sameSet(cur.roles, p.roles)) fields.push('roles');
    if (cur.department !== p.department) fields.push('department');
    if (!sameSet(cur.regions, p.regions)) fields.push('regions');
    if (cur.language !== language) fields.push('language');
    if (cur.manager !== manager) fields.push('manager');
    if (formatRoster(toPrincipal(cur).onDuty) !== formatRoster(onDuty)) fields.push('on_duty');
    const active = p.active ?? cur.active;
    if (fields.length > 0) {
      report.changed.push({ id: p.id, fields });
      await c.query(
        `UPDATE principals SET name = $2, roles = $3, department = $4, regions = $5, language = $6, manager = $7, on_duty = $8, updated_at = now() WHERE id = $1`,
        [p.id, p.name, p.roles, p.department, p.regions, language, manager, onDuty === null ? null : JSON.stringify(onDuty)],
      );
    }
    if (active !== cur.active) {
      (active ? report.enabled : report.disabled).push(p.id);
      await setActiveLocked(c, p.id, active, active ? null : 'marked inactive in the imported file');
    } else if (fields.length === 0) report.unchanged++;
  }

  const mapped = new Map((await c.query<IdentityRow>('SELECT channel, platform_user_id, principal_id, kind FROM platform_identities')).rows.map((r) => [`${r.channel}\u0000${r.platform_user_id}`, r]));
  for (const i of seed.identities) {
    const cur = mapped.get(`${i.channel}\u0000${i.platformUserId}`);
    if (cur?.principal_id === i.principalId && cur.kind !== null) continue;
    if (!cur) report.identities.added++;
    else if (cur.principal_id !== i.principalId) report.identities.moved.push({ channel: i.channel, platformUserId: i.platformUserId, from: cur.principal_id, to: i.principalId });
    await upsertIdentity(c, i);
  }
  return report;
}

async function upsertIdentity(c: Queryable, i: PlatformIdentity): Promise<void> {
  await c.query(
    `INSERT INTO platform_identities (channel, platform_user_id, principal_id, kind) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel, platform_user_id) DO UPDATE SET principal_id = EXCLUDED.principal_id, kind = EXCLUDED.kind`,
    [i.channel, i.platformUserId, i.principalId, identityKind(i.channel, i.platformUserId)],
  );
}

async function setActiveLocked(c: Queryable, id: string, active: boolean, reason: string | null): Promise<void> {
  await c.query(
    `UPDATE principals SET active = $2, disabled_at = CASE WHEN $2 THEN NULL ELSE now() END, disabled_reason = $3, updated_at = now() WHERE id = $1`,
    [id, active, reason === null ? null : maskText(reason).slice(0, 200)],
  );
  // A leaver's console sessions end with them (the session check would refuse them anyway).
  if (!active) await c.query('UPDATE console_sessions SET ended_at = now() WHERE principal_id = $1 AND ended_at IS NULL', [id]);
}

/** The start-up path (demo people, test fixtures): the same diffing upsert, not audited. */
export async function seedDirectory(db: Db, seed: DirectorySeed): Promise<void> {
  await applyDirectory(db, seed, { actor: 'switchboard', source: 'seed', audit: 'never' });
}

/** `map`: give a person a platform identity (moving it from whoever had it). */
export function mapIdentity(
  db: Db,
  m: { principalId: string; channel: string; platformUserId: string },
  ctx: ChangeContext,
): Promise<{ changed: boolean; movedFrom: string | null }> {
  return serialized(db, async () => {
    const out = await db.tx(async (c) => {
      await lockDirectory(c);
      const p = (await c.query<{ active: boolean }>('SELECT active FROM principals WHERE id = $1', [m.principalId])).rows[0];
      if (!p) throw new DirectoryChangeError(`no principal "${m.principalId}" in the directory (import them first)`);
      const cur = (await c.query<{ principal_id: string }>('SELECT principal_id FROM platform_identities WHERE channel = $1 AND platform_user_id = $2', [m.channel, m.platformUserId])).rows[0];
      if (cur?.principal_id === m.principalId) return { changed: false, movedFrom: null };
      await upsertIdentity(c, m);
      const movedFrom = cur?.principal_id ?? null;
      await appendAuditInTx(c, {
        actor: ctx.actor,
        action: 'directory.map',
        subject: m.principalId,
        details: { channel: m.channel, kind: identityKind(m.channel, m.platformUserId), platformUserId: m.platformUserId, movedFrom, principalActive: p.active },
      });
      return { changed: true, movedFrom };
    });
    await reloadLocal(db);
    return out;
  });
}

/** `unmap`: remove a platform identity (a mistaken mapping). */
export function unmapIdentity(db: Db, m: { channel: string; platformUserId: string }, ctx: ChangeContext): Promise<{ removedFrom: string | null }> {
  return serialized(db, async () => {
    const out = await db.tx(async (c) => {
      await lockDirectory(c);
      const res = await c.query<{ principal_id: string }>('DELETE FROM platform_identities WHERE channel = $1 AND platform_user_id = $2 RETURNING principal_id', [m.channel, m.platformUserId]);
      const removedFrom = res.rows[0]?.principal_id ?? null;
      if (removedFrom) {
        await appendAuditInTx(c, { actor: ctx.actor, action: 'directory.unmap', subject: removedFrom, details: { channel: m.channel, kind: identityKind(m.channel, m.platformUserId), platformUserId: m.platformUserId } });
      }
      return { removedFrom };
    });
    await reloadLocal(db);
    return out;
  });
}

/** `disable` (a leaver, at once everywhere) and `enable`. */
export function setPrincipalActive(db: Db, id: string, active: boolean, ctx: ChangeContext & { reason?: string }): Promise<{ changed: boolean }> {
  return serialized(db, async () => {
    const out = await db.tx(async (c) => {
      await lockDirectory(c);
      const p = (await c.query<{ active: boolean }>('SELECT active FROM principals WHERE id = $1', [id])).rows[0];
      if (!p) throw new DirectoryChangeError(`no principal "${id}" in the directory`);
      if (p.active === active) return { changed: false };
      const reason = ctx.reason?.trim() ? ctx.reason.trim() : null;
      await setActiveLocked(c, id, active, active ? null : reason);
      await appendAuditInTx(c, {
        actor: ctx.actor,
        action: active ? 'directory.enable' : 'directory.disable',
        subject: id,
        details: active ? {} : { reason: reason === null ? null : maskText(reason).slice(0, 200) },
      });
      return { changed: true };
    });
    await reloadLocal(db);
    return out;
  });
}
