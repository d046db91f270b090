/**
 * The Teams channel's entry point for the composition root: the only module app.ts imports from
 * this folder, and (with the rest of src/bot/teams/) the only place botbuilder is imported, so a
 * move to the Microsoft 365 Agents SDK touches this folder alone.
 *
 * Modes: with MICROSOFT_APP_ID every request's JWT is checked by the SDK; without one the
 * endpoint answers 403 unless TEAMS_ALLOW_UNAUTHENTICATED=1 (local testing), which /healthz shows.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Activity } from 'botbuilder';
import type { Config } from '../../config.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import type { Inbox } from '../inbox.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import { createBotAuthentication, SwitchboardAdapter, type TeamsAuthSettings } from './adapter.js';
import { teamsTurn, type TeamsBotDeps } from './bot.js';
import { TeamsChannel } from './channel.js';
import { activityEnvelope } from './activities.js';
import { issuePaths } from '../notices.js';

export { TeamsChannel } from './channel.js';
export { renderTeamsCard, validateTeamsCard } from './cards.js';

export type TeamsMode = 'authenticated' | 'unauthenticated' | 'off';

export const TEAMS_ENDPOINT = '/api/messages';
/** Card invokes and conversation updates can be larger than the console's 64 KB limit. */
const BODY_LIMIT = 512 * 1024;

export interface Teams {
  mode: TeamsMode;
  channel: TeamsChannel;
  adapter: SwitchboardAdapter;
  /** The /healthz entry (starts with "ok" so it never fails the check by itself). */
  health(): string;
  register(http: FastifyInstance, deps: Omit<TeamsBotDeps, 'db' | 'channel' | 'inbox'> & { inbox: Inbox }): void;
}

export interface TeamsOptions {
  config: Pick<
    Config,
    | 'MICROSOFT_APP_ID'
    | 'MICROSOFT_APP_PASSWORD'
    | 'MICROSOFT_APP_TYPE'
    | 'MICROSOFT_APP_TENANT_ID'
    | 'TEAMS_ALLOW_UNAUTHENTICATED'
    | 'TEAMS_APPROVAL_CHANNELS'
    | 'TEAMS_OPENID_METADATA_URL'
    | 'TEAMS_TOKEN_ISSUER'
  >;
  db: Db;
  directory: Directory;
  /** Outbound token source override (tests). */
  credentialsFactory?: TeamsAuthSettings['credentialsFactory'];
}

export function teamsMode(config: TeamsOptions['config']): TeamsMode {
  if (config.MICROSOFT_APP_ID) return 'authenticated';
  return config.TEAMS_ALLOW_UNAUTHENTICATED ? 'unauthenticated' : 'off';
}

/** Just enough of an activity to hand it to the SDK; the SDK checks the rest. */
const activityShape = z.looseObject({
  type: z.string().min(1),
  serviceUrl: z.string().min(1).optional(),
  conversation: z.looseObject({ id: z.string().min(1) }).optional(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'activity'}: ${i.message}`)
    .join('; ');
}

export function createTeams(opts: TeamsOptions): Teams {
  const { config, db, directory } = opts;
  const mode = teamsMode(config);
  const auth = createBotAuthentication({
    appType: config.MICROSOFT_APP_TYPE,
    ...(config.MICROSOFT_APP_ID ? { appId: config.MICROSOFT_APP_ID } : {}),
    ...(config.MICROSOFT_APP_PASSWORD ? { appPassword: config.MICROSOFT_APP_PASSWORD } : {}),
    ...(config.MICROSOFT_APP_TENANT_ID ? { tenantId: config.MICROSOFT_APP_TENANT_ID } : {}),
    ...(config.TEAMS_OPENID_METADATA_URL ? { openIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL } : {}),
    ...(config.TEAMS_TOKEN_ISSUER ? { tokenIssuer: config.TEAMS_TOKEN_ISSUER } : {}),
    ...(opts.credentialsFactory ? { credentialsFactory: opts.credentialsFactory } : {}),
  });
  const adapter = new SwitchboardAdapter(auth, config.MICROSOFT_APP_ID ?? '');
  const channel = new TeamsChannel({ db, adapter, directory, approvalChannels: config.TEAMS_APPROVAL_CHANNELS });

  return {
    mode,
    channel,
    adapter,
    health: () =>
      mode === 'authenticated'
        ? `ok (Bot Framework JWT checked, app ${config.MICROSOFT_APP_ID})`
        : mode === 'unauthenticated'
          ? 'ok (UNAUTHENTICATED: TEAMS_ALLOW_UNAUTHENTICATED=1 accepts unsigned requests; local testing only)'
          : 'ok (off: MICROSOFT_APP_ID not set)',
    register(http, deps) {
      const logic = teamsTurn({ ...deps, db, channel });
      const log = deps.log ?? ((msg: string, data?: Record<string, unknown>) => console.error(`[teams] ${msg}`, data ?? ''));
      http.post(TEAMS_ENDPOINT, { bodyLimit: BODY_LIMIT }, async (req, reply) => {
        if (mode === 'off') {
          return reply.code(403).send({
            error:
              'The Teams endpoint is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (Azure Bot registration), ' +
              'or TEAMS_ALLOW_UNAUTHENTICATED=1 for local testing without tokens.',
          });
        }
        const activity = activityShape.safeParse(req.body);
        if (!activity.success) return reply.code(400).send({ error: 'the body is not a Bot Framework activity' });
        const header = req.headers.authorization ?? '';
        // After authentication: a malformed activity from a verified caller is refused with the
        // reason, counted and audited (the channel does not redeliver a 400). The turn sees the
        // checked activity: ids verified, accounts reduced to the fields the Bot Framework defines.
        const check = async (a: Activity) => {
          const envelope = activityEnvelope.safeParse(a);
          if (envelope.success) {
            const { conversation, from, recipient } = envelope.data;
            Object.assign(a, { conversation, from, recipient });
            return undefined;
          }
          await deps.inbox.refuse({
            channel: 'teams',
            reason: 'malformed_activity',
            details: { type: typeof a.type === 'string' ? a.type.slice(0, 64) : typeof a.type, issues: issuePaths(envelope.error) },
          });
          return { status: 400, body: { error: `malformed activity: ${describeIssues(envelope.error)}`, reason: 'malformed_activity' } };
        };
        try {
          const res = await adapter.handle(activity.data as unknown as Activity, header, logic, check);
          return res.body === undefined ? reply.code(res.status).send() : reply.code(res.status).send(res.body);
        } catch (err) {
          // What throws here is our side (the inbox could not store the message): the channel retries a 503.
          log('teams activity could not be handled', { error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
          return reply.code(503).send({ error: 'temporarily unable to accept activities; retry later', reason: 'unavailable' });
        }
      });
    },
  };
}
