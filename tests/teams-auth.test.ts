/**
 * Bot Framework JWTs on POST /api/messages, checked by botbuilder itself against a local test
 * issuer: an OpenID metadata document and a JWKS (generated here with node:crypto) served from
 * loopback, wired in through TEAMS_OPENID_METADATA_URL / TEAMS_TOKEN_ISSUER. Only a token from that
 * issuer, for our app id, naming the activity's serviceUrl, unexpired and correctly signed, runs a turn.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataKeyring, installDataKeys, parseDataKeys } from '../src/store/data-keys.js';
import { TEST_DATA_KEYS } from './helpers/test-app.js';

import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { Directory, seedDirectory } from '../src/store/directory.js';
import { seedDepartments, seedIdentities, seedPrincipals, seedTeamsAadObjectIds } from '../src/policies/principals.js';
import { Inbox } from '../src/bot/inbox.js';
import { createTeams } from '../src/bot/teams/index.js';

// The inbox seals payloads at rest: the test key.
installDataKeys(new DataKeyring(parseDataKeys(TEST_DATA_KEYS)));

const APP_ID = '00000000-1111-4000-8000-00000000b07a';
const ISSUER = 'https://issuer.test.local';
const SERVICE_URL = 'http://127.0.0.1:9/teams-connector/';
const KID = 'test-key-1';

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');

function sign(claims: Record<string, unknown>, key: crypto.KeyObject, kid = KID): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(sig)}`;
}

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 10, iat: now - 10, exp: now + 3600, ...over };
}

/** A refresh click on an unknown approval: a full turn that needs no outbound call. */
function refreshInvoke(serviceUrl = SERVICE_URL): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:${crypto.randomUUID()}`,
    serviceUrl,
    channelId: 'msteams',
    from: { id: '29:carol-mri', name: 'Carol', aadObjectId: seedTeamsAadObjectIds.carol },
    recipient: { id: `28:${APP_ID}`, name: 'Switchboard' },
    conversation: { id: `a:auth-${crypto.randomUUID()}`, conversationType: 'personal', tenantId: 'tenant-1' },
    value: { action: { type: 'Action.Execute', verb: 'refresh', data: { approvalId: crypto.randomUUID() } } },
  };
}

describe('Teams endpoint authentication', () => {
  const good = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  let issuer: http.Server;
  let issuerUrl = '';
  let db: Db;
  let dataDir: string;
  let directory: Directory;
  let inbox: Inbox;
  let app: FastifyInstance;
  const metadataHits: string[] = [];

  beforeAll(async () => {
    issuer = http.createServer((req, res) => {
      metadataHits.push(req.url ?? '');
      if (req.url === '/.well-known/openidconfiguration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${issuerUrl}/keys` }));
      } else if (req.url === '/keys') {
        const jwk = good.publicKey.export({ format: 'jwk' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...jwk, kid: KID, use: 'sig', endorsements: ['msteams'] }] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;

    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-teams-auth-'));
    db = await openDb({ dataDir, inMemory: true });
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    directory = await new Directory(db).reload();
    inbox = new Inbox(db, async () => undefined);

    const config = loadConfig({
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'not-used-here',
      TEAMS_OPENID_METADATA_URL: `${issuerUrl}/.well-known/openidconfiguration`,
      TEAMS_TOKEN_ISSUER: ISSUER,
    });
    const teams = createTeams({ config, db, directory });
    expect(teams.mode).toBe('authenticated');
    expect(teams.health()).toContain(APP_ID);
    app = Fastify();
    teams.register(app, { inbox, viewOf: async () => undefined });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await inbox?.close();
    await db?.close();
    await new Promise<void>((resolve) => issuer?.close(() => resolve()));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (activity: Record<string, unknown>, token?: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: activity,
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  };
  const conversationsStored = async (activity: Record<string, unknown>) =>
    (await db.query('SELECT 1 FROM teams_conversations WHERE conversation_id = $1', [(activity.conversation as { id: string }).id])).rowCount;

  it('runs the turn for a token from the configured issuer, for our app id and this serviceUrl', async () => {
    const activity = refreshInvoke();
    const res = await post(activity, sign(claims(), good.privateKey));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(res.body.value).toContain('找不到这条审批');
    expect(await conversationsStored(activity)).toBe(1);
    expect(metadataHits).toContain('/keys');
  });

  const rejected: [string, () => string | undefined, (a: Record<string, unknown>) => void][] = [
    ['no Authorization header', () => undefined, () => {}],
    ['another audience (app id)', () => sign(claims({ aud: 'someone-else' }), good.privateKey), () => {}],
    ['another issuer', () => sign(claims({ iss: 'https://api.botframework.com' }), good.privateKey), () => {}],
    ['a serviceUrl claim that is not the activity’s', () => sign(claims({ serviceurl: 'http://127.0.0.1:9/elsewhere/' }), good.privateKey), () => {}],
    ['an expired token', () => sign(claims({ exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 }), good.privateKey), () => {}],
    ['a token signed with another key under the same kid', () => sign(claims(), forger.privateKey), () => {}],
    ['a token whose kid is unknown', () => sign(claims(), good.privateKey, 'unknown-kid'), () => {}],
    ['a token without signature (alg none)', () => `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid: KID }))}.${b64url(JSON.stringify(claims()))}.`, () => {}],
  ];
  it.each(rejected)('answers 401 and runs nothing for %s', async (_name, token) => {
    const activity = refreshInvoke();
    const res = await post(activity, token());
    expect(res.status).toBe(401);
    expect(String(res.body.error)).toMatch(/unauthorized/i);
    expect(await conversationsStored(activity)).toBe(0);
  });

  it('is off without an app id unless unauthenticated mode is asked for, and says so', async () => {
    const off = createTeams({ config: loadConfig({}), db, directory });
    expect(off.mode).toBe('off');
    expect(off.health()).toMatch(/off/);
    const offApp = Fastify();
    off.register(offApp, { inbox, viewOf: async () => undefined });
    const activity = refreshInvoke();
    const res = await offApp.inject({ method: 'POST', url: '/api/messages', payload: activity });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/MICROSOFT_APP_ID/);
    expect(await conversationsStored(activity)).toBe(0);
    await offApp.close();

    const open = createTeams({ config: loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1' }), db, directory });
    expect(open.mode).toBe('unauthenticated');
    expect(open.health()).toMatch(/UNAUTHENTICATED/);
  });
});
