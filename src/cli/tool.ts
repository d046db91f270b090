/**
 * `npm run tool`: run one legacy-system tool by hand, the way the agent would.
 *
 *   npm run tool -- --list                       every tool: effect, system, input JSON schema
 *   npm run tool -- resource.getPort '{"olt":"OLT-HZ-01","fsp":"0/1/3"}'
 *   npm run tool -- ticket.updateFields '<json>' --approval <approval id>
 *
 * Against the configured systems (LEGACY_*_URL), or the sandbox in this process when none is set,
 * like src/app.ts. Prints one JSON object: the typed output or the typed error, attempts and the
 * evidence paths. Personal data in the printed output is masked, as in every log.
 *
 * A write needs --approval: an approval the approvals table (DATA_DIR PGlite or DATABASE_URL)
 * holds as approved, unexpired and unused, whose action hash is this very tool and input. It goes
 * through the one approved-write executor (claim the outbox row, idempotency key = approval id,
 * read-back, tool_calls and audit rows); a used, pending, rejected, expired or tampered approval is
 * refused. With PGlite the app must be stopped (one process per data dir).
 *
 * Exit codes: 0 ok; 1 the tool failed (typed error printed); 2 refused (usage, unknown tool,
 * invalid JSON, write without a valid approval, approval already used).
 *
 * A composition root like src/main.ts, so it may import config, store and (dynamically) sandbox.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, usesSandbox, type Config } from '../config.js';
import { maskDeep } from '../policies/masking.js';
import type { AnyTool, LegacySystem } from '../tools/define.js';
import { isBusinessError, isSystemError } from '../tools/errors.js';
import { legacyTools } from '../tools/catalog.js';
import { ToolRegistry } from '../tools/registry.js';
import { recordOf, type ToolCallRecord, type ToolRunner } from '../tools/runner.js';
import { systemCaller } from '../tools/scope.js';
import { createToolRuntime } from '../tools/runtime.js';
import { databaseEvidenceStore, type EvidenceStore } from '../tools/evidence.js';

export class Refusal extends Error {
  override readonly name = 'Refusal';
}

export interface ToolListing {
  name: string;
  effect: 'read' | 'write';
  system: LegacySystem;
  description: string;
  input: Record<string, unknown>;
}

export function listTools(tools: readonly AnyTool[] = legacyTools): ToolListing[] {
  return tools.map((t) => ({
    name: t.name,
    effect: t.effect,
    system: t.system,
    description: t.description,
    input: z.toJSONSchema(t.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  }));
}

interface Args {
  list: boolean;
  tool?: string;
  json?: string;
  approval?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { list: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--list') args.list = true;
    else if (a === '--approval') {
      const v = argv[++i];
      if (!v) throw new Refusal('--approval needs an approval id');
      args.approval = v;
    } else if (a.startsWith('--approval=')) args.approval = a.slice('--approval='.length);
    else if (a.startsWith('--')) throw new Refusal(`unknown option ${a}`);
    else rest.push(a);
  }
  [args.tool, args.json] = rest;
  if (rest.length > 2) throw new Refusal(`too many arguments: ${rest.slice(2).join(' ')}`);
  return args;
}

const USAGE = `usage: npm run tool -- --list
       npm run tool -- <system.verb> '<json input>' [--approval <approval id>]`;

interface Printed {
  tool: string;
  ok: boolean;
  output?: unknown;
  verify?: unknown;
  error?: unknown;
  attempts?: number;
  durationMs?: number;
  evidence: string[];
  steps?: string[];
}

async function runOne(cfg: Config, args: Args): Promise<{ printed: Printed; code: number }> {
  const registry = new ToolRegistry();
  for (const t of legacyTools) registry.register(t);
  const tool = registry.get(args.tool ?? '');
  if (!tool) throw new Refusal(`unknown tool ${args.tool ?? ''}; see npm run tool -- --list`);
  let input: unknown;
  try {
    input = JSON.parse(args.json ?? '{}');
  } catch (e) {
    throw new Refusal(`input is not valid JSON: ${(e as Error).message}`);
  }

  const closers: (() => Promise<void>)[] = [];
  let runtime: Promise<{ runner: ToolRunner; dataDir: string }> | undefined;
  // Started on first use: a refused write never starts a browser or a sandbox. A read keeps its
  // evidence under DATA_DIR (printed as paths); an approved write's goes to the database like the app's.
  const rt = (evidenceStore?: EvidenceStore) =>
    (runtime ??= (async () => {
      let sandboxUrl: string | undefined;
      if (usesSandbox(cfg)) {
        const { startSandbox } = await import('../sandbox/server.js');
        // Port 0: a running app may hold SANDBOX_PORT.
        const sb = await startSandbox({ port: 0, username: cfg.LEGACY_USERNAME, password: cfg.LEGACY_PASSWORD });
        closers.push(() => sb.close());
        sandboxUrl = sb.url;
      }
      const r = await createToolRuntime(cfg, { pagesPerSystem: 1, launchBrowser: false, ...(sandboxUrl && { sandboxUrl }), ...(evidenceStore && { evidenceStore }) });
      closers.push(() => r.close());
      return r;
    })());
  try {
    if (tool.effect === 'write') return await runApprovedWrite(cfg, args, tool, input, rt);
    const { runner, dataDir } = await rt();
    const evidenceOf = (recs: ToolCallRecord[]) => recs.flatMap((r) => r.evidence.files.map((f) => path.join(dataDir, f)));
    try {
      const { output, record } = await runner.run(tool.name, input, { caller: systemCaller('npm run tool (operator)') });
      return {
        printed: {
          tool: tool.name,
          ok: true,
          output: maskDeep(output),
          attempts: record.attempts,
          durationMs: record.durationMs,
          evidence: evidenceOf([record]),
          steps: record.evidence.steps.map((s) => s.step),
        },
        code: 0,
      };
    } catch (e) {
      const printed = typedError(tool.name, e, evidenceOf);
      if (!printed) throw e;
      return { printed, code: 1 };
    }
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  }
}

function typedError(tool: string, e: unknown, evidenceOf: (recs: ToolCallRecord[]) => string[]): Printed | undefined {
  if (!isBusinessError(e) && !isSystemError(e)) return undefined;
  const rec = recordOf(e);
  return {
    tool,
    ok: false,
    error: { name: e.name, code: e.code, message: maskDeep(e.message), ...(isSystemError(e) && { system: e.system }) },
    ...(rec && { attempts: rec.attempts, durationMs: rec.durationMs, steps: rec.evidence.steps.map((s) => s.step) }),
    evidence: rec ? evidenceOf([rec]) : [],
  };
}

/**
 * A write by hand takes the one approved-write path (agents/approvals/executor.ts): approval
 * approved, unexpired, its action hash matching this tool + input; the outbox row claimed (a used
 * approval is refused); idempotency key = approval id; read-back; outbox, outcome, tool_calls and
 * audit recorded. The app's outbox recovery then ends the run, tells the requester and redraws
 * the cards.
 */
async function runApprovedWrite(
  cfg: Config,
  args: Args,
  tool: AnyTool,
  input: unknown,
  rt: (evidenceStore?: EvidenceStore) => Promise<{ runner: ToolRunner; dataDir: string }>,
): Promise<{ printed: Printed; code: number }> {
  const approvalId = args.approval;
  if (!approvalId) throw new Refusal(`${tool.name} is a write tool: it needs --approval <id> of an approved approval`);
  const { openDb } = await import('../store/db.js');
  const { getApproval } = await import('../store/approvals-repo.js');
  const { Directory } = await import('../store/directory.js');
  const { ApprovedWriteExecutor } = await import('../agents/approvals/executor.js');
  // The write is audited like any other: this process signs its rows with the app's audit key.
  const { resolveAuditKeys } = await import('../store/audit-keys.js');
  const { useAuditKeys } = await import('../store/audit.js');
  const { AUDIT_ANCHORS_FILE } = await import('../store/audit-anchor.js');
  const { installDataKeys, resolveDataKeys } = await import('../store/data-keys.js');
  try {
    useAuditKeys(resolveAuditKeys(cfg, { create: true }), { anchorsFile: path.resolve(cfg.DATA_DIR, AUDIT_ANCHORS_FILE) });
  } catch (e) {
    throw new Refusal(`cannot sign the audit record of this write: ${(e as Error).message}`);
  }
  try {
    // The approval's input is sealed at rest: the same data keys as the app (DATA_KEYS, or the demo key file).
    installDataKeys(resolveDataKeys({ spec: cfg.DATA_KEYS, databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR }).keyring);
  } catch (e) {
    throw new Refusal(`cannot open the sealed approval: ${(e as Error).message}`);
  }
  let db: Awaited<ReturnType<typeof openDb>>;
  try {
    db = await openDb({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR, poolSize: 1 });
  } catch (e) {
    throw new Refusal(`cannot open the approvals table to check ${approvalId}: ${(e as Error).message}`);
  }
  try {
    const row = await getApproval(db, approvalId).catch((e: Error) => {
      throw new Refusal(`cannot read approval ${approvalId}: ${e.message}`);
    });
    if (!row) throw new Refusal(`approval ${approvalId} does not exist`);
    if (row.tool !== tool.name && row.status === 'approved') throw new Refusal(`approval ${approvalId} is for ${row.tool}, not ${tool.name}`);
    const parsed = tool.input.safeParse(input);
    const executor = new ApprovedWriteExecutor({
      db,
      directory: await new Directory(db).reload(),
      tools: {
        run: async (name, i, o) => (await rt(databaseEvidenceStore(db))).runner.run(name, i, o),
        verify: async (name, i, out, o) => (await rt(databaseEvidenceStore(db))).runner.verify(name, i, out, o),
      },
      leaseMs: cfg.OUTBOX_LEASE_MS,
      log: (level, msg, data) => process.stderr.write(`[${level}] ${msg} ${JSON.stringify(maskDeep(data ?? {}))}\n`),
    });
    const outcome = await executor.execute({
      approvalId,
      source: 'cli',
      actor: `cli:${cliUser()}`,
      expected: { tool: tool.name, input: parsed.success ? parsed.data : input, requesterId: row.requester_id, threadId: row.thread_id },
    });
    // In the database: where the console serves each file.
    const evidenceOf = (recs: ToolCallRecord[]) => recs.flatMap((r) => r.evidence.files.map((f) => `/console/api/${f}`));
    switch (outcome.state) {
      case 'refused':
        throw new Refusal(refusalMessage(approvalId, outcome.reason, outcome.row?.status, outcome.detail));
      case 'busy':
        throw new Refusal(`approval ${approvalId} is being executed by another process`);
      case 'failed': {
        const printed = typedError(tool.name, outcome.error, evidenceOf);
        return { printed: printed ?? { tool: tool.name, ok: false, error: { message: maskDeep(outcome.detail) }, evidence: [] }, code: 1 };
      }
      case 'verified':
      case 'unverified': {
        const rec = outcome.record;
        return {
          printed: {
            tool: tool.name,
            ok: outcome.state === 'verified',
            output: maskDeep(outcome.output),
            verify: maskDeep(outcome.check),
            ...(rec && { attempts: rec.attempts, durationMs: rec.durationMs, steps: rec.evidence.steps.map((s) => s.step) }),
            evidence: rec ? evidenceOf([rec]) : [],
          },
          code: outcome.state === 'verified' ? 0 : 1,
        };
      }
    }
  } finally {
    await db.close();
  }
}

function refusalMessage(id: string, reason: string, status: string | undefined, detail: string): string {
  switch (reason) {
    case 'not_approved':
      return `approval ${id} is ${status ?? 'unknown'}, not approved`;
    case 'input_mismatch':
      return `approval ${id} was given for a different input; run it with the approved input`;
    case 'hash_mismatch':
      return `approval ${id} does not match what it approved (action hash mismatch); it is marked failed and will not run`;
    case 'used':
      return `approval ${id} was already used; an approval runs its write once`;
    case 'expired':
      return `approval ${id} expired before its write ran`;
    default:
      return `approval ${id}: ${detail}`;
  }
}

function cliUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.list) {
      process.stdout.write(`${JSON.stringify(listTools(), null, 2)}\n`);
      return 0;
    }
    if (!args.tool) throw new Refusal(USAGE);
    const { printed, code } = await runOne(loadConfig(), args);
    process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    return code;
  } catch (e) {
    if (e instanceof Refusal) {
      process.stderr.write(`refused: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => process.exit(2),
  );
}
