/**
 * The database side of personal data at rest: the start-up check that the configured data keys
 * are the ones that sealed this database's data, and the retention purge of what was kept raw
 * (sealed) for a run once the run is long over.
 */
import type { Db } from './db.js';
import { DataKeyError, type DataKeyring } from './data-keys.js';

const PROBE = 'switchboard data key probe';
const probeAad = (kid: string) => `data_key_checks:${kid}`;

/**
 * Every configured key that sealed a probe before must open it (else: the wrong key under a known
 * id, refused with DataKeyError); the current key seals one the first time it is used. Returns the
 * key ids this database has data for that the keyring does not hold (their data cannot be read).
 */
export async function checkDataKeys(db: Db, keyring: DataKeyring): Promise<{ unknownKids: string[] }> {
  const rows = (await db.query<{ kid: string; probe: string }>('SELECT kid, probe FROM data_key_checks')).rows;
  const known = new Map(rows.map((r) => [r.kid, r.probe]));
  for (const kid of keyring.ids) {
    const probe = known.get(kid);
    if (probe === undefined) continue;
    let ok = false;
    try {
      ok = keyring.open(probe, probeAad(kid)).toString('utf8') === PROBE;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new DataKeyError(
        `DATA_KEYS: key "${kid}" is not the key that sealed this database's data under that id (its probe does not open); check DATA_KEYS (the data dir's ${'data-key'} file in demo mode)`,
      );
    }
  }
  const current = keyring.current.id;
  if (!known.has(current)) {
    await db.query('INSERT INTO data_key_checks (kid, probe) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [current, keyring.seal(PROBE, probeAad(current))]);
  }
  return { unknownKids: [...known.keys()].filter((k) => !keyring.ids.includes(k)) };
}

export interface PurgeCounts {
  inbox: number;
  approvals: number;
  outbox: number;
  checkpoints: number;
  memory: number;
}

const PURGED = JSON.stringify({ purged: true });

/**
 * What was kept raw for a run, purged `days` after it ended: the inbox payload (the person's
 * words), the approval's and outbox's input, the LangGraph checkpoints of the run's thread (thread
 * id = run id), and LLM conversation memory (with its placeholder vault) idle that long. Rows stay
 * (dedup, audit references, KPIs); only the raw content goes. Unfinished work is never touched.
 */
export async function purgeRawData(db: Db, days: number): Promise<PurgeCounts> {
  const cutoff = `now() - make_interval(days => $1::int)`;
  const inbox = await db.query(
    `UPDATE inbox SET payload = $2::jsonb WHERE status IN ('done', 'dead') AND received_at < ${cutoff} AND payload <> $2::jsonb`,
    [days, PURGED],
  );
  const ended = `SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ${cutoff} AND status <> 'awaiting_approval'`;
  const outbox = await db.query(
    `UPDATE outbox SET input = $2::jsonb WHERE status IN ('done', 'failed') AND input <> $2::jsonb
       AND approval_id IN (SELECT a.id FROM approvals a WHERE a.run_id IN (${ended}))`,
    [days, PURGED],
  );
  const approvals = await db.query(
    `UPDATE approvals SET input = $2::jsonb WHERE status <> 'pending' AND input <> $2::jsonb AND run_id IN (${ended})
       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.approval_id = approvals.id AND o.status IN ('pending', 'running'))`,
    [days, PURGED],
  );
  let checkpoints = 0;
  for (const table of ['checkpoint_writes', 'checkpoint_blobs', 'checkpoints']) {
    const res = await db.query(`DELETE FROM ${table} WHERE thread_id IN (SELECT id::text FROM runs WHERE ended_at IS NOT NULL AND ended_at < ${cutoff} AND status <> 'awaiting_approval')`, [days]);
    if (table === 'checkpoints') checkpoints = res.rowCount ?? 0;
  }
  const memory = await db.query(`DELETE FROM conversation_memory WHERE updated_at < ${cutoff}`, [days]);
  return { inbox: inbox.rowCount ?? 0, approvals: approvals.rowCount ?? 0, outbox: outbox.rowCount ?? 0, checkpoints, memory: memory.rowCount ?? 0 };
}
