/**
 * The operator's directory file (DIRECTORY_FILE): the people Switchboard knows and the identities
 * that name them on each channel, upserted at start. Everyone listed can use the console with
 * their principal id as console user id; an `oidc` identity maps a login (the provider's subject,
 * or the claim OIDC_PRINCIPAL_CLAIM names) to that person.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { Department, PlatformIdentity, Principal } from '../policies/principals.js';

const id = z.string().trim().min(1).max(128);
const fileSchema = z.object({
  departments: z.array(z.object({ id, name: z.object({ zh: z.string().min(1), en: z.string().min(1) }) })).default([]),
  principals: z.array(
    z.object({
      id: id.regex(/^[\w.@-]+$/, 'letters, digits and . @ - _ only'),
      name: z.string().trim().min(1),
      roles: z.array(z.enum(['cs_agent', 'field_tech', 'manager', 'auditor'])),
      department: id,
      regions: z.array(z.string().min(1)).min(1),
    }),
  ),
  identities: z.array(z.object({ channel: z.enum(['oidc', 'teams', 'feishu', 'console']), platformUserId: id, principalId: id })).default([]),
});

export interface DirectorySeed {
  departments: Department[];
  principals: Principal[];
  identities: PlatformIdentity[];
}

/** Parse and check the file; a readable Error names what is wrong. */
export function readDirectoryFile(file: string): DirectorySeed {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`DIRECTORY_FILE ${file}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`DIRECTORY_FILE ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { departments, principals, identities } = parsed.data;
  const known = new Set(principals.map((p) => p.id));
  const stray = identities.find((i) => !known.has(i.principalId));
  if (stray) throw new Error(`DIRECTORY_FILE ${file}: identity ${stray.channel}/${stray.platformUserId} names "${stray.principalId}", who is not in principals`);
  return {
    departments,
    principals,
    // The console names people by principal id (the session decides who, never the request).
    identities: [...identities, ...principals.map((p) => ({ channel: 'console', platformUserId: p.id, principalId: p.id }))],
  };
}
