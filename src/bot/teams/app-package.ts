/**
 * The Teams app package to sideload: teams/manifest.json with this deployment's bot id filled in,
 * checked against the manifest JSON schema shipped in @microsoft/app-manifest (no network), and
 * zipped with its two icons. The zip writer is a small stored+deflate writer on node:zlib: three
 * files do not justify a dependency.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { uuidFromKey } from '../../lib/ids.js';

export const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamsManifest {
  manifestVersion: string;
  id: string;
  icons: { color: string; outline: string };
  bots?: { botId: string }[];
  [key: string]: unknown;
}

export interface PackageOptions {
  /** The folder holding manifest.json and the icons it names. */
  sourceDir: string;
  outFile: string;
  /** The Azure Bot's app id (MICROSOFT_APP_ID); the manifest's placeholder otherwise. */
  botAppId?: string;
  /** The Teams app's own id; a stable one derived from the bot id when unset. */
  teamsAppId?: string;
}

export interface PackageResult {
  outFile: string;
  manifest: TeamsManifest;
  files: string[];
  warnings: string[];
}

/** Problems the manifest's JSON schema finds; empty when it is valid. */
export async function validateManifest(manifest: TeamsManifest): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const schemaFile = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  const schema: unknown = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const { ManifestUtil } = (await import('@microsoft/app-manifest')) as unknown as {
    ManifestUtil: { validateManifestAgainstSchema(m: unknown, s: unknown): Promise<string[]> };
  };
  return ManifestUtil.validateManifestAgainstSchema(manifest, schema);
}

export async function buildAppPackage(opts: PackageOptions): Promise<PackageResult> {
  const warnings: string[] = [];
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.sourceDir, 'manifest.json'), 'utf8')) as TeamsManifest;
  if (opts.botAppId && !GUID.test(opts.botAppId)) throw new Error(`MICROSOFT_APP_ID must be a GUID, got "${opts.botAppId}"`);
  if (opts.teamsAppId && !GUID.test(opts.teamsAppId)) throw new Error(`TEAMS_APP_ID must be a GUID, got "${opts.teamsAppId}"`);
  const botId = opts.botAppId ?? PLACEHOLDER_ID;
  if (botId === PLACEHOLDER_ID) warnings.push('MICROSOFT_APP_ID is not set: the package carries a placeholder bot id and will not reach a bot');
  for (const bot of manifest.bots ?? []) bot.botId = botId;
  // One Teams app per bot: the same bot id always packs to the same app id (upgrades, not duplicates).
  manifest.id = opts.teamsAppId ?? (opts.botAppId ? uuidFromKey(`switchboard-teams-app:${opts.botAppId}`) : PLACEHOLDER_ID);

  const problems = await validateManifest(manifest);
  if (problems.length > 0) throw new Error(`teams/manifest.json does not match the v${manifest.manifestVersion} schema:\n  ${problems.join('\n  ')}`);

  const entries: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) }];
  for (const [kind, file] of Object.entries(manifest.icons)) {
    const data = fs.readFileSync(path.join(opts.sourceDir, file));
    const size = pngSize(data);
    const want = kind === 'color' ? 192 : 32;
    if (!size || size.width !== want || size.height !== want) throw new Error(`${file}: the ${kind} icon must be a ${want}x${want} PNG`);
    entries.push({ name: file, data });
  }
  fs.mkdirSync(path.dirname(opts.outFile), { recursive: true });
  fs.writeFileSync(opts.outFile, zip(entries));
  return { outFile: opts.outFile, manifest, files: entries.map((e) => e.name), warnings };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 24 || !data.subarray(0, 8).equals(signature) || data.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

// ------------------------------------------------------------------ zip

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** A zip archive (deflated entries, no directories, fixed timestamp so builds are reproducible). */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = (2026 - 1980) << 9 | (1 << 5) | 1;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const compressed = zlib.deflateRawSync(e.data);
    const crc = zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Reads back what zip() writes (and any deflate/stored zip without data descriptors): for tests and checks. */
export function unzip(archive: Buffer): ZipEntry[] {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('not a zip archive');
  const count = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error('broken central directory');
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLen = archive.readUInt16LE(at + 28);
    const extraLen = archive.readUInt16LE(at + 30);
    const commentLen = archive.readUInt16LE(at + 32);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const raw = archive.subarray(dataAt, dataAt + size);
    const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    if (zlib.crc32(data) !== crc) throw new Error(`${name}: CRC mismatch`);
    out.push({ name, data });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
