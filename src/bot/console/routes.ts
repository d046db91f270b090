/**
 * The console's HTTP API and static page. It is a channel adapter like Teams or Feishu: requests
 * become inbox events (persisted and deduplicated first), the persona stands in for the identity
 * a platform would sign, and cards are the same Adaptive Card 1.5 JSON that Teams receives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { consoleMessagesByIds, consoleTranscriptPage, insertConsoleMessage, suggestionsOf, type ConsoleMessageRow } from '../../store/console-repo.js';
import { getApproval, pendingForApproverPage, requestsOfRequesterPage, type ApprovalRow } from '../../store/approvals-repo.js';
import { BadCursorError, pageQuery } from '../../lib/paging.js';
import { scopeFilterOf } from '../../policies/access.js';
import { mayDecide } from '../../policies/approval-rules.js';
import { delegationRefusalText, type DelegationDesk } from '../../policies/delegation-rules.js';
import type { Inbox } from '../inbox.js';
import { renderAdaptiveCard } from '../cards/adaptive.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { InboundMessage, CardAction } from '../../chat/channel.js';
import type { Principal } from '../../policies/principals.js';
import { personalConversationId } from './channel.js';
import { claimConsoleConversation, consoleConversationOwner } from '../../store/console-access-repo.js';
import { currentSession, type AuditFn, type ConsoleAuth, type ConsoleCaller } from './auth.js';
import { registerEvidenceRoute } from './evidence.js';

const MAX_TEXT_BYTES = 4096;
const WAIT_TIMEOUT_MS = 90_000;

const idString = z.string().trim().min(1).max(128).regex(/^[\w.:@-]+$/, 'letters, digits and . : @ - _ only');

/** `user` names the persona in demo mode; in oidc mode the session decides and `user` is ignored. */
const messageBody = z.object({
  user: idString.optional(),
  conversation: idString.optional(),
  text: z.string().refine((t) => t.trim().length > 0, 'must not be empty'),
  /** Lets a client retry a send without it being handled twice. */
  clientMessageId: idString.optional(),
});

const delegationBody = z
  .object({
    user: idString.optional(),
    delegate: idString,
    /** ISO time, or operator-local "YYYY-MM-DD HH:mm" (Asia/Shanghai). */
    until: z.string().trim().max(40),
  })
  .strict();

/** "2026-12-05 18:00" is operator-local (UTC+8); an ISO time with a zone is taken as written. */
function parseUntil(text: string): Date | undefined {
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(text);
  const d = local ? new Date(`${local[1]}T${local[2]}:00+08:00`) : new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const actionBody = z.object({
  user: idString.optional(),
  approvalId: z.string().trim().min(1).max(64),
  /** withdraw: the requester's own button (only the requester may; checked by identity, not this body). */
  decision: z.enum(['approve', 'reject', 'withdraw']),
  comment: z.string().max(2000).optional(),
  clientActionId: idString.optional(),
});

const waitQuery = z.object({ wait: z.enum(['1', 'true', '0', 'false']).optional() });

/** The agent's answers to inbox events, as the console needs them. */
export interface ConsoleTurnResult {
  sent: { messageId: string }[];
}
export type ConsoleDecisionResult =
  | { status: 'approved' | 'rejected' | 'voted' | 'withdrawn'; approvalId: string; message: string; done: Promise<void> }
  | { status: 'refused'; approvalId: string; reason: string; message: string };

export interface ConsoleDeps {
  db: Db;
  directory: Directory;
  inbox: Inbox;
  /** The card view of an approval as a principal reads it (agents/approval-view.ts), injected so bot/ stays out of agents/. */
  viewOf(row: ApprovalRow, readerId?: string): ApprovalCardView;
  /** Who is calling (./auth.ts): a demo persona or a login session. */
  auth: ConsoleAuth;
  audit: AuditFn;
  /** Naming a delegate (agents/delegation.ts), injected like viewOf. */
  delegations: DelegationDesk;
  /** A bulk approval card by its click id (agents/approvals/bulk.ts), injected like viewOf. */
  bulkViewOf?(cardId: string, readerId?: string): Promise<ApprovalCardView | undefined>;
  /** The kinds the caller could approve in bulk now, with the chat command that asks for the card. */
  bulkKinds?(principal: Principal): Promise<{ tool: string; count: number; action: { zh: string; en: string }; command: { zh: string; en: string } }[]>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, 'page');
const require = createRequire(import.meta.url);

type Reply =
  /** suggestions: full commands the page shows as buttons; a click sends one as the user's own message. */
  | { kind: 'text'; text: string; suggestions?: string[] }
  | { kind: 'card'; approvalId: string; card: Record<string, unknown> };

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const { db, directory, inbox, viewOf, auth, audit, delegations } = deps;
  const oidc = auth.mode === 'oidc';

  /**
   * A conversation belongs to its participants: a personal one (console-<id>) to its person, any
   * other to whoever opened it (claimed on the first post, race-free). Refusals are audited.
   */
  const mayUse = async (caller: ConsoleCaller, conversation: string, claim: boolean): Promise<'yes' | 'no' | 'unclaimed'> => {
    const mine = personalConversationId(caller.userId);
    if (conversation === mine) return 'yes';
    if (conversation.startsWith('console-')) return 'no';
    const owner = claim ? await claimConsoleConversation(db, conversation, caller.principal.id) : await consoleConversationOwner(db, conversation);
    if (owner === undefined) return 'unclaimed';
    return owner === caller.principal.id ? 'yes' : 'no';
  };
  const refuseConversation = async (reply: FastifyReply, caller: ConsoleCaller, conversation: string, op: 'post' | 'read') => {
    await audit({ actor: caller.principal.id, action: 'console.conversation_refused', subject: conversation, details: { op, via: caller.via } });
    return reply.code(403).send({ error: `forbidden: conversation "${conversation}" belongs to someone else; use your own (omit "conversation" for ${personalConversationId(caller.userId)})` });
  };
  /** Client ids are scoped to their sender: another person's id can never reach their event. */
  const scopedEventId = (caller: ConsoleCaller, clientId: string | undefined) => (clientId ? `${caller.userId}/${clientId}` : randomUUID());

  // In oidc mode even the page and its assets need a session (the page lists conversations and cards).
  const pageGate = async (req: FastifyRequest, reply: FastifyReply, html: boolean): Promise<boolean> => {
    if (!oidc || (await currentSession(db, req))) return true;
    if (html) void reply.header('cache-control', 'no-store').redirect('/console/login', 302);
    else void reply.code(401).send({ error: 'login required', login: '/console/login' });
    return false;
  };

  app.get('/console', async (req, reply) => {
    if (!(await pageGate(req, reply, true))) return reply;
    return sendFile(reply, path.join(pageDir, 'index.html'), 'text/html; charset=utf-8');
  });
  app.get('/console/', async (_req, reply) => reply.redirect('/console'));
  app.get<{ Params: { file: string } }>('/console/static/:file', async (req, reply) => {
    if (!(await pageGate(req, reply, false))) return reply;
    const file = path.basename(req.params.file);
    const type = file.endsWith('.js') ? 'text/javascript; charset=utf-8' : file.endsWith('.css') ? 'text/css; charset=utf-8' : undefined;
    if (!type) return reply.code(404).send({ error: 'not found' });
    return sendFile(reply, path.join(pageDir, file), type);
  });
  app.get('/console/vendor/adaptivecards.js', async (req, reply) => {
    if (!(await pageGate(req, reply, false))) return reply;
    return sendFile(reply, require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'text/javascript; charset=utf-8');
  });

  /** Who the page is: the logged-in person and the CSRF token its POSTs carry (oidc), or the demo. */
  app.get('/console/api/session', async (req, reply) => {
    if (!oidc) return { mode: 'demo' };
    const caller = await auth.caller(req, reply);
    if (!caller) return reply;
    const session = await currentSession(db, req);
    const { id, name, roles, department } = caller.principal;
    return reply.header('cache-control', 'no-store').send({ mode: 'oidc', user: { id, name, roles, department }, csrfToken: session?.csrfToken });
  });

  app.get('/console/api/personas', async (_req, reply) => {
    // Picking a persona is the demo; behind a login nobody chooses who they are.
    if (oidc) return reply.code(404).send({ error: 'not found: personas exist only in the demo console' });
    return {
    personas: directory
      .all()
      .filter((p) => directory.platformIdsOf('console', p.id).length > 0)
      .map((p) => ({ id: p.id, name: p.name, roles: p.roles, department: p.department }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    };
  });

  app.post('/console/api/messages', async (req, reply) => {
    const body = messageBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: describe(body.error) });
    const { text } = body.data;
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
      return reply.code(413).send({ error: `text is ${Buffer.byteLength(text, 'utf8')} bytes; the limit is ${MAX_TEXT_BYTES}` });
    }
    const caller = await auth.caller(req, reply, { claimed: body.data.user, stateChanging: true });
    if (!caller) return reply;
    const user = caller.userId;
    const conversation = body.data.conversation ?? personalConversationId(user);
    if ((await mayUse(caller, conversation, true)) !== 'yes') return refuseConversation(reply, caller, conversation, 'post');
    const eventId = scopedEventId(caller, body.data.clientMessageId);
    const message: InboundMessage = {
      channel: 'console',
      conversationId: conversation,
      messageId: eventId,
      sender: { channel: 'console', id: user },
      text,
      receivedAt: new Date(),
    };
    const received = await inbox.receive({ channel: 'console', eventId, kind: 'message', conversationId: conversation, payload: { ...message, receivedAt: message.receivedAt.toISOString() } });
    if (received.duplicate) {
      const first = await db.query<{ conversation_id: string }>('SELECT conversation_id FROM inbox WHERE id = $1', [received.id]);
      const sameConversation = first.rows[0]?.conversation_id === conversation;
      await audit({ actor: caller.principal.id, action: 'console.client_id_replayed', subject: eventId, details: { kind: 'message', conversation, sameConversation } });
      if (!sameConversation) {
        return reply.code(409).send({ error: `clientMessageId "${body.data.clientMessageId}" was already used for a message in another conversation; use a new id` });
      }
    } else {
      await insertConsoleMessage(db, { conversationId: conversation, sender: 'user', userId: user, kind: 'text', text, inboxId: received.id });
    }
    if (!wants(req.query)) return reply.code(202).send({ accepted: true, duplicate: received.duplicate, conversation });
    const result = await withTimeout(received.result, WAIT_TIMEOUT_MS);
    if (result === timedOut) return reply.code(202).send({ accepted: true, pending: true, conversation });
    const sent = (result as ConsoleTurnResult | undefined)?.sent ?? [];
    const rows = await consoleMessagesByIds(db, sent.map((s) => s.messageId));
    return { conversation, duplicate: received.duplicate, replies: rows.map(toReply) };
  });

  app.post('/console/api/actions', async (req, reply) => {
    const body = actionBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: describe(body.error) });
    const { approvalId, decision, comment } = body.data;
    const caller = await auth.caller(req, reply, { claimed: body.data.user, stateChanging: true });
    if (!caller) return reply;
    const user = caller.userId;
    const eventId = scopedEventId(caller, body.data.clientActionId);
    const conversation = personalConversationId(user);
    const action: CardAction = {
      channel: 'console',
      conversationId: conversation,
      messageId: eventId,
      actor: { channel: 'console', id: user },
      approvalId,
      decision,
      ...(comment !== undefined ? { comment } : {}),
      // From the login session, never the body: how fresh this person's sign-in is.
      ...(caller.authenticatedAt ? { authenticatedAt: caller.authenticatedAt.toISOString() } : {}),
    };
    const received = await inbox.receive({ channel: 'console', eventId, kind: 'action', conversationId: conversation, payload: { ...action } });
    if (received.duplicate) {
      await audit({ actor: caller.principal.id, action: 'console.client_id_replayed', subject: eventId, details: { kind: 'action', approvalId } });
    }
    const result = (await received.result) as ConsoleDecisionResult | undefined;
    if (!result) return { status: 'refused', reason: 'duplicate', message: 'This click was already handled.', replies: [] };
    if (result.status !== 'refused' && wants(req.query)) await withTimeout(result.done, WAIT_TIMEOUT_MS);
    const replies: Reply[] = [];
    const row = await getApproval(db, approvalId);
    const bulkView = row ? undefined : await deps.bulkViewOf?.(approvalId, caller.principal.id);
    if (row) replies.push(cardReply(viewOf(row, caller.principal.id)));
    else if (bulkView) replies.push(cardReply(bulkView));
    replies.unshift({ kind: 'text', text: result.message });
    return result.status === 'refused'
      ? { status: 'refused', reason: result.reason, message: result.message, replies }
      : { status: result.status, message: result.message, replies };
  });

  app.get<{ Params: { id: string } }>('/console/api/conversations/:id', async (req, reply) => {
    const id = idString.safeParse(req.params.id);
    if (!id.success) return reply.code(400).send({ error: `conversation: ${describe(id.error)}` });
    const caller = await auth.caller(req, reply, { claimed: claimedIn(req.query) });
    if (!caller) return reply;
    const may = await mayUse(caller, id.data, false);
    if (may === 'no') return refuseConversation(reply, caller, id.data, 'read');
    const page = pageQuery.safeParse(req.query);
    if (!page.success) return reply.code(400).send({ error: describe(page.error) });
    // The newest page by default; `next` pages back to older messages.
    const found = may === 'unclaimed' ? { items: [], next: null } : await pagedOr400(reply, () => consoleTranscriptPage(db, id.data, page.data));
    if (!found) return reply;
    const rows = found.items;
    return {
      conversation: id.data,
      next: found.next,
      messages: rows.map((r) => ({
        id: r.id,
        from: r.sender,
        ...(r.user_id ? { user: r.user_id } : {}),
        ...toReply(r),
        at: new Date(r.created_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
    };
  });

  // Delegation: the caller (a verified session or persona, never a body field) names who may also
  // approve what would come to them, until a time. The rules are the delegation desk's, the same
  // as for the chat command (policies/delegation-rules.ts).
  app.post('/console/api/delegations', async (req, reply) => {
    const body = delegationBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: describe(body.error) });
    const caller = await auth.caller(req, reply, { claimed: body.data.user, stateChanging: true });
    if (!caller) return reply;
    const started = await delegations.start(caller.principal, body.data.delegate, parseUntil(body.data.until));
    if (!started.ok) {
      const text = delegationRefusalText[started.refusal];
      return reply.code(started.refusal === 'not_approver' ? 403 : 400).send({ error: `${text.en} / ${text.zh}`, reason: started.refusal });
    }
    return { delegate: started.delegation.delegate, until: started.delegation.until.toISOString(), pendingShared: started.pendingShared };
  });

  app.delete('/console/api/delegations', async (req, reply) => {
    const caller = await auth.caller(req, reply, { claimed: claimedIn(req.query), stateChanging: true });
    if (!caller) return reply;
    return { revoked: await delegations.end(caller.principal) };
  });

  app.get('/console/api/delegations', async (req, reply) => {
    const caller = await auth.caller(req, reply, { claimed: claimedIn(req.query) });
    if (!caller) return reply;
    const d = await delegations.current(caller.principal);
    return { delegate: d ? { ...d.delegate, until: d.until.toISOString() } : null };
  });

  registerEvidenceRoute(app, { db, auth, audit });

  // The approval lists, one page at a time (src/lib/paging.ts): the first page carries the total ("1000+": totalAtLeast).
  const approvalItem = (row: ApprovalRow, readerId: string) => {
    // Drawn for the reader who asks: their language, whatever the request's was.
    const view = viewOf(row, readerId);
    return {
      approvalId: row.id,
      status: row.status,
      title: view.title,
      // A name and a department, never the requester object itself ("[object Object]", issue 13).
      requester: { id: view.requester.id, name: view.requester.name, department: view.requester.department ?? null },
      createdAt: new Date(row.created_at).toISOString(),
      expiresAt: view.expiresAt,
      card: renderAdaptiveCard(view),
    };
  };

  /** 待我审批 / Waiting for me: what the caller may decide now, riskiest then oldest first. */
  app.get('/console/api/approvals', async (req, reply) => {
    const page = pageQuery.safeParse(req.query);
    if (!page.success) return reply.code(400).send({ error: describe(page.error) });
    const caller = await auth.caller(req, reply, { claimed: claimedIn(req.query) });
    if (!caller) return reply;
    const principal = caller.principal;
    const { limit, cursor } = page.data;
    const found = await pagedOr400(reply, () => pendingForApproverPage(db, principal.id, scopeFilterOf(principal), { limit, cursor, withTotal: cursor === undefined }));
    if (!found) return reply;
    // The query already keeps to the caller's scope; each row is checked again as a decision would be.
    const rows = found.items.filter((r) => mayDecide(principal, { requesterId: r.requester_id, approverIds: r.approver_ids, targetScope: r.target_scope }).allowed);
    // "Approve all N of this kind": the page sends the command, in the caller's language, as their own message.
    const lang = principal.language ?? 'zh';
    const bulk = (deps.bulkKinds ? await deps.bulkKinds(principal) : []).map((k) => ({ tool: k.tool, count: k.count, action: k.action[lang], command: k.command[lang] }));
    return { bulk, approvals: rows.map((row) => approvalItem(row, principal.id)), next: found.next, total: found.total, totalAtLeast: found.totalAtLeast };
  });

  /** 我的申请 / My requests: the caller's own requests in every state, newest first. */
  app.get('/console/api/requests', async (req, reply) => {
    const page = pageQuery.safeParse(req.query);
    if (!page.success) return reply.code(400).send({ error: describe(page.error) });
    const caller = await auth.caller(req, reply, { claimed: claimedIn(req.query) });
    if (!caller) return reply;
    const { limit, cursor } = page.data;
    const found = await pagedOr400(reply, () => requestsOfRequesterPage(db, caller.principal.id, { limit, cursor, withTotal: cursor === undefined }));
    if (!found) return reply;
    return { requests: found.items.map((row) => approvalItem(row, caller.principal.id)), next: found.next, total: found.total, totalAtLeast: found.totalAtLeast };
  });
}

/** Runs a page query; a cursor that is not ours is the client's mistake (400), said plainly. */
async function pagedOr400<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof BadCursorError) {
      void reply.code(400).send({ error: e.message });
      return undefined;
    }
    throw e;
  }
}

/** The demo persona a GET names (?user=); a malformed one counts as none named. */
export function claimedIn(query: unknown): string | undefined {
  const q = z.object({ user: idString }).safeParse(query);
  return q.success ? q.data.user : undefined;
}

function toReply(r: ConsoleMessageRow): Reply {
  if (r.kind === 'card' && r.card) return cardReply(r.card);
  const suggestions = suggestionsOf(r);
  return { kind: 'text', text: r.text ?? '', ...(suggestions.length ? { suggestions } : {}) };
}

function cardReply(view: ApprovalCardView): Reply {
  return { kind: 'card', approvalId: view.approvalId, card: renderAdaptiveCard(view) };
}

function wants(query: unknown): boolean {
  const q = waitQuery.safeParse(query);
  return q.success && (q.data.wait === '1' || q.data.wait === 'true');
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

const timedOut = Symbol('timedOut');
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof timedOut> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function sendFile(reply: FastifyReply, file: string, type: string): Promise<FastifyReply> {
  try {
    const body = await fs.promises.readFile(file);
    return reply.type(type).header('cache-control', 'no-cache').send(body);
  } catch {
    return reply.code(404).send({ error: 'not found' });
  }
}
