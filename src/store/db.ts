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
  /**
   * PostgreSQL only: a connection of its own, outside the pool, for what must stay connected
   * (the process's one LISTEN connection, the migration lock). Closed with the Db.
   */
  readonly openDedicated?: () => Promise<pg.Client>;
  /**
   * For what a platform waits on (accepting an inbound event before its ack): on embedded PGlite,
   * whose one connection every turn shares, it goes before every query and transaction waiting
   * for the connection (it still waits for the one running). On PostgreSQL, the pool.
   */
  readonly urgent: Queryable;
  /**
   * The pool for libraries that take a pg.Pool (the LangGraph checkpointer): on PGlite it shares the
   * connection's queue (and its ack lane) with everything else; on PostgreSQL it is `pool`.
   */
  readonly sharedPool: pg.Pool;
  /** Runs (before the pool ends) when the Db closes: for whatever was built on it. */
  onClose(fn: () => Promise<void>): void;
  /** Pool totals, for health checks and tests that prove nothing leaked. */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** PGlite in memory (tests); ignored for PostgreSQL. */
  inMemory?: boolean;
  /** Longest wait for a pool connection, PGlite's single one included (config DATABASE_ACQUIRE_TIMEOUT_MS). */
  acquireTimeoutMs?: number;
  /** PostgreSQL statement_timeout (config DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** PostgreSQL idle_in_transaction_session_timeout (config DATABASE_IDLE_IN_TX_TIMEOUT_MS). */
  idleInTxTimeoutMs?: number;
}

/** The same defaults as src/config.ts, for callers that open a Db without a config (tools, tests). */
export const DB_TIMEOUT_DEFAULTS = { acquireTimeoutMs: 10_000, statementTimeoutMs: 30_000, idleInTxTimeoutMs: 30_000 } as const;

/**
 * The database could not serve this piece of work in time: no pool connection within the acquire
 * timeout, or a statement (or an idle transaction) ran past its limit. The work fails alone; the
 * person gets "busy, please retry".
 */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  readonly code = 'DB_BUSY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** SQLSTATEs of a statement that ran out of time: query_canceled (statement_timeout), lock_not_available, idle_in_transaction_session_timeout. */
const TIMEOUT_SQLSTATES = new Set(['57014', '55P03', '25P03']);

/**
 * Whether err (or anything in its cause chain) is the database being too busy: what pg-pool and pg
 * throw themselves (LangGraph's checkpointer uses the pool directly, so its errors arrive raw).
 */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseBusyError) return true;
    if (typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && TIMEOUT_SQLSTATES.has(code)) return true;
    if (typeof message === 'string' && /^(timeout exceeded when trying to connect|Query read timeout)$/.test(message)) return true;
  }
  return false;
}

function asBusy(err: unknown): unknown {
  if (err instanceof DatabaseBusyError || !isDatabaseBusy(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new DatabaseBusyError(`database busy: ${detail}`, { cause: err });
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const acquireTimeoutMs = opts.acquireTimeoutMs ?? DB_TIMEOUT_DEFAULTS.acquireTimeoutMs;
  if (opts.databaseUrl) {
    const statementTimeoutMs = opts.statementTimeoutMs ?? DB_TIMEOUT_DEFAULTS.statementTimeoutMs;
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      // pg-pool applies this to waiting for a free client as well as to connecting a new one.
      connectionTimeoutMillis: acquireTimeoutMs,
      // Sent as start-up parameters: every pooled session has them from its first statement.
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: opts.idleInTxTimeoutMs ?? DB_TIMEOUT_DEFAULTS.idleInTxTimeoutMs,
      // A server that stops answering altogether: the client gives up a little after the server would have.
      query_timeout: statementTimeoutMs + 5_000,
      keepAlive: true,
      application_name: 'switchboard',
    });
    pool.on('error', (err) => console.error('[db] idle client error:', err.message));
    // pg-pool listens for errors only on idle clients. A checked-out session ended by the server
    // (idle_in_transaction_session_timeout, a restart) would emit an unhandled 'error' and kill
    // the process (measured); with this listener only that piece of work fails.
    pool.on('connect', (client) => client.on('error', (err) => console.error('[db] session ended while in use:', err.message)));
    await pool.query('SELECT 1');
    const dedicated = new Set<pg.Client>();
    const openDedicated = async (): Promise<pg.Client> => {
      // No statement_timeout: LISTEN sits idle by design and migrations may run long DDL.
      const client = new pg.Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: acquireTimeoutMs, keepAlive: true, application_name: 'switchboard' });
      client.on('error', (err) => console.error('[db] dedicated connection error:', err.message));
      dedicated.add(client);
      client.once('end', () => dedicated.delete(client));
      try {
        await client.connect();
      } catch (err) {
        dedicated.delete(client);
        await client.end().catch(() => undefined);
        throw asBusy(err);
      }
      return client;
    };
    return wrap('postgres', pool, async () => {
      await Promise.all([...dedicated].map((c) => c.end().catch(() => undefined)));
      await pool.end();
    }, openDedicated);
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { PglitePgConnection } = await import('@electric-sql/pglite/node-postgres');
  let release = async (): Promise<void> => {};
  let pglite: InstanceType<typeof PGlite>;
  if (opts.inMemory) {
    pglite = new PGlite();
    // Ready before the pool's first connect, which the acquire timeout would otherwise cut short.
    await pglite.waitReady;
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
    // The one connection is shared by every turn: waiting for it is bounded too. (No
    // statement_timeout here: PGlite 0.5 accepts the setting and ignores it, measured, and a
    // client-side abandon would leave its single session mid-statement.)
    connectionTimeoutMillis: acquireTimeoutMs,
    user: 'postgres',
    password: 'embedded',
    database: 'postgres',
    host: 'localhost',
    port: 5432,
  });
  pool.on('error', (err) => console.error('[db] idle client error:', err.message));
  pool.on('connect', (client) => client.on('error', (err) => console.error('[db] session error while in use:', err.message)));
  return wrap(
    'pglite',
    pool,
    async () => {
      await pool.end();
      await pglite.close();
      await release();
    },
    undefined,
    new PriorityGate(acquireTimeoutMs),
  );
}

/**
 * A pg.Pool look-alike over the gate, for libraries that take a pool: `query` and `connect` wait
 * their turn in the normal lane, and a connected client gives the turn back on release.
 */
function gatedPool(pool: pg.Pool, gate: PriorityGate): pg.Pool {
  const facade = {
    query: (text: string, values?: unknown[]) => gate.run('normal', () => pool.query(text, values)),
    async connect() {
      const leave = await gate.hold('normal');
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        leave();
        throw asBusy(err);
      }
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => {
        client.release = release;
        release(err);
        leave();
      };
      return client;
    },
    end: () => pool.end(),
    on: pool.on.bind(pool),
    get totalCount() {
      return pool.totalCount;
    },
    get idleCount() {
      return pool.idleCount;
    },
    get waitingCount() {
      return pool.waitingCount + gate.waiting;
    },
  };
  return facade as unknown as pg.Pool;
}

/**
 * The single embedded connection, handed out one user at a time in two lanes: urgent work (an
 * inbound event's insert, which a platform's ack waits on) before everything queued in the normal
 * lane, each lane first come first served. Waiting is bounded like a pool's acquire.
 */
export class PriorityGate {
  private busy = false;
  private readonly lanes: { urgent: (() => void)[]; normal: (() => void)[] } = { urgent: [], normal: [] };

  constructor(private readonly timeoutMs: number) {}

  get waiting(): number {
    return this.lanes.urgent.length + this.lanes.normal.length;
  }

  async run<T>(lane: 'urgent' | 'normal', fn: () => Promise<T>): Promise<T> {
    await this.enter(lane);
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  /** Hold the connection until the returned function is called (once). */
  async hold(lane: 'urgent' | 'normal'): Promise<() => void> {
    await this.enter(lane);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.leave();
    };
  }

  private enter(lane: 'urgent' | 'normal'): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.lanes[lane];
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(grant);
        if (at >= 0) queue.splice(at, 1);
        reject(new DatabaseBusyError(`database busy: timeout exceeded when trying to connect (the embedded database's one connection, ${this.timeoutMs} ms)`));
      }, this.timeoutMs);
      queue.push(grant);
    });
  }

  private leave(): void {
    const next = this.lanes.urgent.shift() ?? this.lanes.normal.shift();
    if (next) next();
    else this.busy = false;
  }
}

function wrap(kind: DbKind, pool: pg.Pool, end: () => Promise<void>, openDedicated?: () => Promise<pg.Client>, gate?: PriorityGate): Db {
  let closed: Promise<void> | undefined;
  const closers: (() => Promise<void>)[] = [];
  const plain = (text: string, values?: unknown[]) =>
    pool.query(text, values).catch((err: unknown) => {
      throw asBusy(err);
    });
  const through = <T>(lane: 'urgent' | 'normal', fn: () => Promise<T>): Promise<T> => (gate ? gate.run(lane, fn) : fn());
  return {
    kind,
    pool,
    sharedPool: gate ? gatedPool(pool, gate) : pool,
    ...(openDedicated ? { openDedicated } : {}),
    query: ((text: string, values?: unknown[]) => through('normal', () => plain(text, values))) as Queryable['query'],
    urgent: { query: ((text: string, values?: unknown[]) => through('urgent', () => plain(text, values))) as Queryable['query'] },
    tx: (fn) => through('normal', () => runTx(fn)),
    onClose(fn) {
      closers.push(fn);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount + (gate?.waiting ?? 0) }),
    close() {
      closed ??= (async () => {
        for (const fn of closers.splice(0).reverse()) await fn().catch((err: Error) => console.error('[db] on close:', err.message));
        await end();
      })();
      return closed;
    },
  };

  async function runTx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw asBusy(err);
      }
      // Every path gives the connection back: a session whose ROLLBACK failed (killed by
      // idle_in_transaction_session_timeout, cut off) is destroyed rather than reused.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        });
        throw asBusy(err);
      } finally {
        client.release(broken);
      }
  }
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
