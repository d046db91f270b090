/**
 * Reloads the policy document when its file changes, in every process that reads it. A file that
 * fails its checks is refused: the policy in force stays and the refusal names the line and field.
 * fs.watchFile polls the file's stat, so an editor that replaces the file (rename) is seen too.
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { PolicyFileError, parsePolicy, setActivePolicy, unknownTools, type Policy } from './policy.js';

export interface PolicyWatcherOptions {
  file: string;
  /** Tool names the registry answers to: a policy naming another is refused like a bad file. */
  registered: ReadonlySet<string>;
  /** A tool call's deadline (tools/runner.ts callDeadlineMs): approvals must outlive twice it. */
  callDeadlineMs?: number;
  intervalMs?: number;
  onReloaded(e: { file: string; sha256: string; policy: Policy }): Promise<void> | void;
  onRejected(e: { file: string; error: PolicyFileError }): Promise<void> | void;
}

/**
 * Parse and check a policy against the registered tools and, when given, the tool calls' deadline:
 * an approval must outlive twice a write's deadline, so a write never still runs when it expires.
 */
export function checkedPolicy(text: string, file: string, registered: ReadonlySet<string>, callDeadlineMs?: number): Policy {
  const policy = parsePolicy(text, file);
  const unknown = unknownTools(policy, registered);
  if (unknown.length > 0) throw new PolicyFileError(file, unknown.map((t) => ({ line: lineOf(text, t), field: `tools.${t}`, message: 'no such tool' })));
  if (callDeadlineMs !== undefined) {
    const rules = [['default', policy.approvals.default] as const, ...Object.entries(policy.approvals.tools)];
    const short = rules.filter(([, r]) => r.expiresInMinutes !== undefined && r.expiresInMinutes * 60_000 < 2 * callDeadlineMs);
    if (short.length > 0) {
      throw new PolicyFileError(
        file,
        short.map(([name]) => ({ line: lineOf(text, name === 'default' ? 'default: {' : name), field: `approvals.${name === 'default' ? 'default' : `tools.${name}`}.expiresInMinutes`, message: `shorter than twice a tool call's deadline (${Math.ceil((2 * callDeadlineMs) / 60_000)} min)` })),
      );
    }
  }
  return policy;
}

function lineOf(text: string, needle: string): number | null {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  return i < 0 ? null : i + 1;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function watchPolicy(opts: PolicyWatcherOptions): { check(): Promise<void>; close(): void } {
  let lastHash = (() => {
    try {
      return sha256(fs.readFileSync(opts.file, 'utf8'));
    } catch {
      return '';
    }
  })();
  let running = Promise.resolve();
  const check = (): Promise<void> => {
    running = running.then(async () => {
      let text: string;
      try {
        text = fs.readFileSync(opts.file, 'utf8');
      } catch (err) {
        // Gone for a moment while an editor replaces it: the next change brings it back.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      const hash = sha256(text);
      if (hash === lastHash) return;
      lastHash = hash;
      try {
        const policy = checkedPolicy(text, opts.file, opts.registered, opts.callDeadlineMs);
        setActivePolicy(policy);
        await opts.onReloaded({ file: opts.file, sha256: hash, policy });
      } catch (err) {
        if (!(err instanceof PolicyFileError)) throw err;
        await opts.onRejected({ file: opts.file, error: err });
      }
    });
    return running.catch((err) => console.error('[policy] reload failed', (err as Error).message));
  };
  const listener = () => void check();
  fs.watchFile(opts.file, { interval: opts.intervalMs ?? 1000 }, listener);
  return { check, close: () => fs.unwatchFile(opts.file, listener) };
}
