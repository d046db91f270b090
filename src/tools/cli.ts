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
 * holds as approved, for this very tool and input; the approval id is the write's idempotency key.
 *
 * Exit codes: 0 ok; 1 the tool failed (typed error printed); 2 refused (usage, unknown tool,
 * invalid JSON, write without a valid approval).
 *
 * A composition root like src/main.ts, so it may import config, store and (dynamically) sandbox.
 */
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, usesSandbox, type Config } from '../config.js';
import { maskDeep } from '../policies/masking.js';
import { canonicalJson } from '../store/canonical-json.js';
import type { AnyTool, LegacySystem } from './define.js';
import { isBusinessError, isSystemError } from './errors.js';
import { legacyTools } from './legacy/index.js';
import { ToolRegistry } from './registry.js';
import { recordOf, type ToolCallRecord } from './runner.js';
import { createToolRuntime } from './runtime.js';

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

/** The approval must be approved, for this tool, with exactly this input. */
async function checkApproval(cfg: Config, approvalId: string | undefined, tool: AnyTool, input: unknown): Promise<void> {
  if (!approvalId) throw new Refusal(`${tool.name} is a write tool: it needs --approval <id> of an approved approval`);
  const { openDb } = await import('../store/db.js');
  const { getApproval } = await import('../store/approvals-repo.js');
  const { installDataKeys, resolveDataKeys } = await import('../store/data-keys.js');
  let db: Awaited<ReturnType<typeof openDb>>;
  try {
    // The approval's input is sealed at rest: the same data keys as the app (DATA_KEYS, or the demo key file).
    installDataKeys(resolveDataKeys({ spec: cfg.DATA_KEYS, databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR }).keyring);
    db = await openDb({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR, poolSize: 1 });
  } catch (e) {
    throw new Refusal(`cannot open the approvals table to check ${approvalId}: ${(e as Error).message}`);
  }
  try {
    const row = await getApproval(db, approvalId).catch((e: Error) => {
      throw new Refusal(`cannot read approval ${approvalId}: ${e.message}`);
    });
    if (!row) throw new Refusal(`approval ${approvalId} does not exist`);
    if (row.status !== 'approved') throw new Refusal(`approval ${approvalId} is ${row.status}, not approved`);
    if (row.tool !== tool.name) throw new Refusal(`approval ${approvalId} is for ${row.tool}, not ${tool.name}`);
    const parsed = tool.input.safeParse(input);
    if (parsed.success && canonicalJson(parsed.data) !== canonicalJson(row.input)) {
      throw new Refusal(`approval ${approvalId} was given for a different input; run it with the approved input`);
    }
  } finally {
    await db.close();
  }
}

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
  if (tool.effect === 'write') await checkApproval(cfg, args.approval, tool, input);

  const closers: (() => Promise<void>)[] = [];
  try {
    let sandboxUrl: string | undefined;
    if (usesSandbox(cfg)) {
      const { startSandbox } = await import('../sandbox/server.js');
      // Port 0: a running app may hold SANDBOX_PORT.
      const sb = await startSandbox({ port: 0, username: cfg.LEGACY_USERNAME, password: cfg.LEGACY_PASSWORD });
      closers.push(() => sb.close());
      sandboxUrl = sb.url;
    }
    const rt = await createToolRuntime(cfg, { pagesPerSystem: 1, launchBrowser: false, ...(sandboxUrl && { sandboxUrl }) });
    closers.push(() => rt.close());
    const { runner, dataDir } = rt;
    const opts = args.approval && tool.effect === 'write' ? { idempotencyKey: args.approval } : {};
    const evidenceOf = (recs: ToolCallRecord[]) => recs.flatMap((r) => r.evidence.files.map((f) => path.join(dataDir, f)));
    try {
      const { output, record } = await runner.run(tool.name, input, opts);
      const printed: Printed = {
        tool: tool.name,
        ok: true,
        output: maskDeep(output),
        attempts: record.attempts,
        durationMs: record.durationMs,
        evidence: evidenceOf([record]),
        steps: record.evidence.steps.map((s) => s.step),
      };
      if (tool.effect === 'write') {
        const check = await runner.verify(tool.name, input, output, opts);
        printed.verify = maskDeep(check);
        if (!check.ok) return { printed: { ...printed, ok: false }, code: 1 };
      }
      return { printed, code: 0 };
    } catch (e) {
      const rec = recordOf(e);
      if (!isBusinessError(e) && !isSystemError(e)) throw e;
      return {
        printed: {
          tool: tool.name,
          ok: false,
          error: { name: e.name, code: e.code, message: maskDeep(e.message), ...(isSystemError(e) && { system: e.system }) },
          ...(rec && { attempts: rec.attempts, durationMs: rec.durationMs, steps: rec.evidence.steps.map((s) => s.step) }),
          evidence: rec ? evidenceOf([rec]) : [],
        },
        code: 1,
      };
    }
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
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
