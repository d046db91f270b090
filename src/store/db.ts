/**
 * One pg.Pool interface everywhere: a real PostgreSQL when DATABASE_URL is set, otherwise an
 * embedded PGlite in this process. PGlite is single-connection (a pool larger than 1 crashes) and
 * has no lock of its own on its data dir, so we hold a lock file while it is open.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export type DbKind = 'postgres' | 'pglite';

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  readonly pool: pg.Pool;
  /** Run fn in one transaction on one connection; never call the graph or a tool inside. */
  tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** PGlite in memory (tests); ignored for PostgreSQL. */
  inMemory?: boolean;
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', (err) => console.error('[db] idle client error:', err.message));
    await pool.query('SELECT 1');
    return wrap('postgres', pool, async () => pool.end());
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { PglitePgConnection } = await import('@electric-sql/pglite/node-postgres');
  let release = async (): Promise<void> => {};
  let pglite: InstanceType<typeof PGlite>;
  if (opts.inMemory) {
    pglite = new PGlite();
  } else {
    const dir = path.resolve(opts.dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    release = acquireDirLock(dir);
    try {
      pglite = new PGlite(dir);
      await pglite.waitReady;
    } catch (err) {
      await release();
      throw err;
    }
  }
  // pg-pool discards a client whose query failed and ends its connection; createPgConfig's single
  // shared connection object cannot be reopened, so every later query would fail ("Connection
  // terminated unexpectedly"). A fresh connection object per client, over the same PGlite, keeps
  // the pool alive after an error (measured; see tests/store.test.ts).
  const embedded = pglite;
  class PgliteClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connection: new PglitePgConnection({ pglite: embedded }) } as pg.ClientConfig);
    }
  }
  const pool = new pg.Pool({
    Client: PgliteClient as unknown as typeof pg.Client,
    max: 1,
    user: 'postgres',
    password: 'embedded',
    database: 'postgres',
    host: 'localhost',
    port: 5432,
  });
  return wrap('pglite', pool, async () => {
    await pool.end();
    await pglite.close();
    await release();
  });
}

function wrap(kind: DbKind, pool: pg.Pool, end: () => Promise<void>): Db {
  let closed: Promise<void> | undefined;
  return {
    kind,
    pool,
    query: (text, values) => pool.query(text, values),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close() {
      closed ??= end();
      return closed;
    },
  };
}

/** A pid lock file: a second process on the same data dir is refused with a readable message. */
function acquireDirLock(dir: string): () => Promise<void> {
  const lockPath = path.join(dir, '.switchboard.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        fs.rmSync(lockPath, { force: true });
      };
      process.once('exit', () => {
        if (!released) fs.rmSync(lockPath, { force: true });
      });
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DataDirLockedError(
          `The embedded database in ${dir} is already open in process ${holder}. ` +
            'Only one Switchboard process may use a DATA_DIR with embedded PGlite: stop the other one, ' +
            'use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.',
        );
      }
      if (holder === process.pid) {
        throw new DataDirLockedError(`The embedded database in ${dir} is already open in this process.`);
      }
      // The holder died without cleaning up: take the lock over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
