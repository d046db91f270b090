/**
 * The directory of principals and their platform identities, kept in PostgreSQL so every replica
 * sees the same people. Lookups are served from memory; reload() picks up changes.
 */
import type { Db } from './db.js';
import type { Department, PlatformIdentity, Principal, Role } from '../policies/principals.js';

export async function seedDirectory(
  db: Db,
  seed: { departments: Department[]; principals: Principal[]; identities: PlatformIdentity[] },
): Promise<void> {
  await db.tx(async (c) => {
    for (const d of seed.departments) {
      await c.query(
        `INSERT INTO departments (id, name_zh, name_en) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
        [d.id, d.name.zh, d.name.en],
      );
    }
    for (const p of seed.principals) {
      await c.query(
        `INSERT INTO principals (id, name, roles, department, regions) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles,
           department = EXCLUDED.department, regions = EXCLUDED.regions`,
        [p.id, p.name, p.roles, p.department, p.regions],
      );
    }
    for (const i of seed.identities) {
      await c.query(
        `INSERT INTO platform_identities (channel, platform_user_id, principal_id) VALUES ($1, $2, $3)
         ON CONFLICT (channel, platform_user_id) DO UPDATE SET principal_id = EXCLUDED.principal_id`,
        [i.channel, i.platformUserId, i.principalId],
      );
    }
  });
}

export class Directory {
  private principals = new Map<string, Principal>();
  private identities = new Map<string, string>();
  private departments = new Map<string, Department>();

  constructor(private readonly db: Db) {}

  async reload(): Promise<this> {
    const [p, i, d] = await Promise.all([
      this.db.query<{ id: string; name: string; roles: Role[]; department: string; regions: string[] }>(
        'SELECT id, name, roles, department, regions FROM principals WHERE active',
      ),
      this.db.query<{ channel: string; platform_user_id: string; principal_id: string }>(
        'SELECT channel, platform_user_id, principal_id FROM platform_identities',
      ),
      this.db.query<{ id: string; name_zh: string; name_en: string }>('SELECT id, name_zh, name_en FROM departments'),
    ]);
    this.principals = new Map(p.rows.map((r) => [r.id, { ...r }]));
    this.identities = new Map(i.rows.map((r) => [`${r.channel}\u0000${r.platform_user_id}`, r.principal_id]));
    this.departments = new Map(d.rows.map((r) => [r.id, { id: r.id, name: { zh: r.name_zh, en: r.name_en } }]));
    return this;
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
    const out: string[] = [];
    for (const [key, pid] of this.identities) {
      const [ch, uid] = key.split('\u0000');
      if (ch === channel && pid === principalId && uid) out.push(uid);
    }
    return out;
  }
}
