/**
 * `npm run teams:package`: writes dist/teams/switchboard-teams.zip for sideloading
 * (Teams > Apps > Manage your apps > Upload an app). Reads MICROSOFT_APP_ID (the Azure Bot's app
 * id) and optionally TEAMS_APP_ID from the environment.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppPackage } from './app-package.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const env = (name: string) => process.env[name]?.trim() || undefined;

try {
  const botAppId = env('MICROSOFT_APP_ID');
  const teamsAppId = env('TEAMS_APP_ID');
  const result = await buildAppPackage({
    sourceDir: path.join(root, 'teams'),
    outFile: path.join(root, 'dist', 'teams', 'switchboard-teams.zip'),
    ...(botAppId ? { botAppId } : {}),
    ...(teamsAppId ? { teamsAppId } : {}),
  });
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  console.log(`wrote ${path.relative(root, result.outFile)} (${result.files.join(', ')}); manifest v${result.manifest.manifestVersion} valid, app id ${result.manifest.id}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
