/**
 * A separate OS process for tests/directory.processes.test.ts: opens its own pool on the given
 * PostgreSQL, loads the directory once and watches it (never restarted), and prints what it
 * resolves each time the directory changes:
 *   SEEN <version> teams=<principal of WATCH_TEAMS_ID or -> leaver=<WATCH_PRINCIPAL if active, or ->
 *   DIRECTORY_LISTEN=0: poll only (the fallback when no notification is heard).
 */
import { openDb } from '../../src/store/db.js';
import { Directory } from '../../src/store/directory.js';

const db = await openDb({ databaseUrl: process.env.DATABASE_URL!, dataDir: '.', poolSize: 2 });
const directory = await new Directory(db).reload();
const report = () => {
  const teams = directory.byPlatformUser('teams', process.env.WATCH_TEAMS_ID ?? '')?.id ?? '-';
  const leaver = directory.get(process.env.WATCH_PRINCIPAL ?? '') ? process.env.WATCH_PRINCIPAL : '-';
  const approver = directory.all().some((p) => p.id === process.env.WATCH_PRINCIPAL) ? 'listed' : 'unlisted';
  process.stdout.write(`SEEN ${directory.version} teams=${teams} leaver=${leaver} ${approver}\n`);
};
directory.onChange(report);
directory.watch({ pollMs: Number(process.env.DIRECTORY_POLL_MS ?? 2000), listen: process.env.DIRECTORY_LISTEN !== '0', log: (level, msg) => process.stderr.write(`${level} ${msg}\n`) });
report();
process.stdout.write('READY\n');
process.on('SIGTERM', () => void db.close().then(() => process.exit(0)));
