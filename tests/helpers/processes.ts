/**
 * The app and the RPA worker as OS processes of their own (node itself with the tsx loader, not
 * the tsx launcher, so kill -9 hits the process that holds leases and jobs): for the multi-process
 * tests and the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Spawned {
  child: ChildProcess;
  /** The line that said it is up, matched. */
  match: RegExpExecArray;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Start `node --import tsx <script>` and resolve once its output matches `ready`. */
export function spawnUntil(script: string, env: Record<string, string>, ready: RegExp): Promise<Spawned> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m, exited, output: () => out });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`${script} exited (${code}) before it was up: ${out.slice(-2000)}`)));
  });
}

/** `npm start` in a process of its own; `url` is its console listener. */
export async function startAppProcess(env: Record<string, string>): Promise<Spawned & { url: string }> {
  const p = await spawnUntil('src/main.ts', env, /console:\s+(http:\/\/\S+)\/console/);
  return { ...p, url: p.match[1]!.replace('localhost', '127.0.0.1') };
}

/** `npm run worker` in a process of its own (WORKER_PORT 0 unless given); `url` serves its /healthz. */
export async function startWorkerProcess(env: Record<string, string>): Promise<Spawned & { url: string }> {
  const p = await spawnUntil('src/worker/main.ts', { WORKER_PORT: '0', ...env }, /health at (http:\/\/\S+)\/healthz/);
  return { ...p, url: p.match[1]! };
}
