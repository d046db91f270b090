/**
 * Tokens and LLM calls per turn of the LLM planner, against the scripted OpenAI-compatible server
 * (tests/llm-server) playing a well-behaved model, with the real app: the `openai` client, real
 * Chromium on the sandbox portals, the PII vault and the tool schemas as sent.
 *
 * Token figures are an APPROXIMATION (src/agents/llm/tokens.ts: one token per CJK character, four
 * characters per token otherwise), applied to the exact request bodies; a real provider's
 * tokenizer will differ by some percent. Goals: <= 2 LLM calls for a read request, tool schemas
 * under 2,000 tokens, no LLM call at all for a command.
 *
 *   npx tsx bench/llm-tokens.bench.ts        (exit 1 when a goal is missed)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { startApp } from '../src/app.js';
import { approxJsonTokens, approxTokens } from '../src/agents/llm/tokens.js';
import { ScriptedLlm, type CapturedRequest, type Step } from '../tests/llm-server/server.js';

const data = (r: CapturedRequest, i: number) => {
  const tools = r.body.messages.filter((m) => m.role === 'tool');
  const c = tools.at(i)!.content ?? '';
  return JSON.parse(c.split('\n').slice(1, -1).join('\n')) as Record<string, unknown>;
};

const READ: Step[] = [
  {
    toolCalls: [
      { name: 'resource_getPort', arguments: { olt: 'OLT-HZ-01', fsp: '0/1/3', broadbandAccount: null } },
      { name: 'nms_listAlarms', arguments: { ne: 'OLT-HZ-01', object: '0/1/3', state: null, limit: null } },
    ],
  },
  (r) => {
    const p = data(r, 0) as { rxPowerDbm: number; rxBand: string; lastDownCause: string };
    const a = data(r, 1) as { alarms: { id: string; type: string }[] };
    return { reply: `OLT-HZ-01 0/1/3：收光 ${p.rxPowerDbm} dBm，处于临界区间；最近掉线原因 ${p.lastDownCause}；活动告警 ${a.alarms.map((x) => `${x.id} ${x.type}`).join('、')}。建议检查皮线连接头并清洁。` };
  },
];
const WRITE: Step[] = [
  { toolCalls: [{ name: 'ticket_get', arguments: { ticketId: 'T20261124-0012' } }] },
  (r) => ({ toolCalls: [{ name: 'crm_getCustomer', arguments: { customerId: (data(r, -1).ticket as { customerId: string }).customerId, mobile: null, broadbandAccount: null } }] }),
  (r) => ({ toolCalls: [{ name: 'resource_getPort', arguments: { olt: null, fsp: null, broadbandAccount: data(r, -1).broadbandAccount } }] }),
  (r) => {
    const c = data(r, -2) as { broadbandAccount: string; address: string };
    const p = data(r, -1) as { olt: string; fsp: string; onuSn: string };
    return {
      toolCalls: [
        { name: 'propose_ticket_updateFields', arguments: { ticketId: 'T20261124-0012', fields: { broadbandAccount: c.broadbandAccount, address: c.address, accessPort: `${p.olt} ${p.fsp}`, onuSn: p.onuSn } } },
      ],
    };
  },
];

async function main(): Promise<void> {
  const llm = await ScriptedLlm.start();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-llm-bench-'));
  const app = await startApp(loadConfig({ PORT: '0', SANDBOX_PORT: '0', DATA_DIR: dataDir, OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: llm.url, OPENAI_MODEL: 'scripted' }));
  const say = async (user: string, text: string, conversation: string) => {
    const res = await fetch(`${app.url}/console/api/messages?wait=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text, conversation }) });
    return (await res.json()) as { replies: { kind: string; text?: string }[] };
  };
  const rows: { turn: string; calls: number; prompt: number[]; completion: number; ok: boolean }[] = [];
  let schemaTokens = 0;
  let systemTokens = 0;
  try {
    const turn = async (name: string, user: string, text: string, steps: Step[], check: (r: { replies: { kind: string; text?: string }[] }) => boolean) => {
      llm.script(steps, { reset: true });
      const res = await say(user, text, name);
      const calls = llm.requests.length;
      const prompt = llm.requests.map((r) => approxTokens(JSON.stringify(r.body.messages)) + approxTokens(JSON.stringify(r.body.tools ?? [])));
      const completion = (await app.db.query<{ c: string }>(`SELECT COALESCE(sum(llm_completion_tokens), 0) AS c FROM runs WHERE conversation_id = $1`, [name])).rows[0]!.c;
      if (llm.requests[0]) {
        schemaTokens = Math.max(schemaTokens, approxJsonTokens(llm.requests[0].body.tools ?? []));
        systemTokens = approxTokens(llm.requests[0].body.messages[0]!.content ?? '');
      }
      rows.push({ turn: name, calls, prompt, completion: Number(completion), ok: check(res) });
    };
    await turn('command', 'bob', '查端口 OLT-HZ-01 0/1/3', [], (r) => JSON.stringify(r).includes('-26.40'));
    await turn('read', 'bob', '帮我看看杭州 OLT-HZ-01 上 0/1/3 这个口怎么样了', READ, (r) => JSON.stringify(r).includes('-26.4'));
    await turn('write-proposal', 'alice', 'T20261124-0012 这张单子缺的信息帮我从客户资料里找一下填上', WRITE, (r) => r.replies.some((x) => x.kind === 'card'));
  } finally {
    await app.close();
    await llm.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  console.log('LLM planner: tokens per turn (approximate tokenizer: 1 per CJK char, 4 chars per token otherwise)\n');
  console.log('turn            LLM calls  prompt tokens (per call)                 prompt total  completion  reply ok');
  for (const r of rows) {
    const total = r.prompt.reduce((a, b) => a + b, 0);
    console.log(`${r.turn.padEnd(16)}${String(r.calls).padStart(9)}  ${(r.prompt.join(' + ') || '—').padEnd(40)} ${String(total).padStart(12)}  ${String(r.completion).padStart(10)}  ${r.ok ? 'yes' : 'NO'}`);
  }
  console.log(`\ntool schemas as sent (5 functions): ${schemaTokens} tokens; system prompt: ${systemTokens} tokens`);
  const read = rows.find((r) => r.turn === 'read')!;
  const cmd = rows.find((r) => r.turn === 'command')!;
  const goals = [
    { goal: 'read request: <= 2 LLM calls', ok: read.calls <= 2 },
    { goal: 'tool schemas < 2,000 tokens', ok: schemaTokens < 2000 },
    { goal: 'command: 0 LLM calls', ok: cmd.calls === 0 },
    { goal: 'every turn answered correctly', ok: rows.every((r) => r.ok) },
  ];
  for (const g of goals) console.log(`${g.ok ? 'PASS' : 'FAIL'}  ${g.goal}`);
  process.exitCode = goals.every((g) => g.ok) ? 0 : 1;
}

await main();
