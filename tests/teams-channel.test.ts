/**
 * TeamsChannel on its own, against the fake Bot Connector: proactive sends and updates through
 * stored conversation references, the department approval channel from TEAMS_APPROVAL_CHANNELS,
 * and the Teams settings' validation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { Directory, seedDirectory } from '../src/store/directory.js';
import { seedDepartments, seedIdentities, seedPrincipals, seedTeamsAadObjectIds } from '../src/policies/principals.js';
import { createTeams } from '../src/bot/teams/index.js';
import { saveConversation, saveUser } from '../src/bot/teams/references.js';
import { FakeConnector } from './helpers/teams-connector.js';

describe('TeamsChannel', () => {
  let db: Db;
  let dataDir: string;
  let directory: Directory;
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-teams-channel-'));
    db = await openDb({ dataDir, inMemory: true });
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    directory = await new Directory(db).reload();
    const ref = (id: string, conversationType: string) => ({
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id, conversationType, isGroup: conversationType !== 'personal', tenantId: 'tenant-1', name: '' },
      bot: { id: '28:bot', name: 'Switchboard' },
      user: { id: '29:someone', name: 'Someone' },
    });
    // A reply thread in the CS approvals channel, and Dave's 1:1 chat.
    const thread = '19:cs-approvals@thread.tacv2;messageid=1700000000000';
    await saveConversation(db, { conversationId: thread, conversationType: 'channel', tenantId: 'tenant-1', serviceUrl: connector.url, reference: ref(thread, 'channel') });
    await saveConversation(db, { conversationId: 'a:dave', conversationType: 'personal', tenantId: 'tenant-1', serviceUrl: connector.url, reference: ref('a:dave', 'personal') });
    await saveUser(db, { aadObjectId: seedTeamsAadObjectIds.dave!, userMri: '29:dave', name: 'Dave', personalConversationId: 'a:dave' });
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await connector?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('routes a department’s approval cards to its channel and everyone else to their 1:1 chat', async () => {
    const teams = createTeams({ config: loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1', TEAMS_APPROVAL_CHANNELS: 'cs-hangzhou=19:cs-approvals@thread.tacv2' }), db, directory });
    const channel = '19:cs-approvals@thread.tacv2';
    expect(await teams.channel.personalConversation({ channel: 'teams', id: seedTeamsAadObjectIds.carol! })).toBe(channel);
    expect(await teams.channel.personalConversation({ channel: 'teams', id: seedTeamsAadObjectIds.dave! })).toBe('a:dave');
    expect(await teams.channel.personalConversation({ channel: 'teams', id: seedTeamsAadObjectIds.bob! })).toBeUndefined();

    // A new post in the channel itself, not a reply in the thread it was learnt from.
    const ref = await teams.channel.send(channel, { kind: 'text', text: 'Alice 提交了一个待你审批的申请' });
    const call = connector.calls.at(-1)!;
    expect(call).toMatchObject({ kind: 'send', conversationId: channel, id: ref.messageId });
    expect(call.activity.text).toContain('待你审批');

    await teams.channel.update(ref, { kind: 'text', text: 'edited' });
    expect(connector.calls.at(-1)).toMatchObject({ kind: 'update', conversationId: channel, activityId: ref.messageId });
  });

  it('offers suggested commands as imBack buttons in a 1:1 chat (a click is the user\'s own signed message), never in a channel', async () => {
    const teams = createTeams({ config: loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1', TEAMS_APPROVAL_CHANNELS: 'cs-hangzhou=19:cs-approvals@thread.tacv2' }), db, directory });
    await teams.channel.send('a:dave', { kind: 'text', text: '抱歉，我没有理解这个请求。', suggestions: ['查工单 T20261124-0012'] });
    expect(connector.calls.at(-1)!.activity.suggestedActions).toEqual({ to: [], actions: [{ type: 'imBack', title: '查工单 T20261124-0012', value: '查工单 T20261124-0012' }] });
    await teams.channel.send('19:cs-approvals@thread.tacv2', { kind: 'text', text: 'x', suggestions: ['查工单 T20261124-0012'] });
    expect(connector.calls.at(-1)!.activity.suggestedActions).toBeUndefined();
  });

  it('refuses to send where it has no conversation reference', async () => {
    const teams = createTeams({ config: loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1' }), db, directory });
    await expect(teams.channel.send('a:nobody', { kind: 'text', text: 'hi' })).rejects.toThrow(/no stored Teams conversation reference/);
  });

  it('validates the Teams settings at start', () => {
    expect(() => loadConfig({ MICROSOFT_APP_ID: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ MICROSOFT_APP_ID: 'abc' })).toThrow(/MICROSOFT_APP_PASSWORD: required/);
    expect(() => loadConfig({ MICROSOFT_APP_ID: 'abc', MICROSOFT_APP_PASSWORD: 'p', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(/MICROSOFT_APP_TENANT_ID/);
    expect(() => loadConfig({ TEAMS_APPROVAL_CHANNELS: 'cs-hangzhou' })).toThrow(/TEAMS_APPROVAL_CHANNELS/);
    expect(loadConfig({ TEAMS_APPROVAL_CHANNELS: 'a=19:x@thread.tacv2, b=19:y@thread.tacv2' }).TEAMS_APPROVAL_CHANNELS).toEqual({ a: '19:x@thread.tacv2', b: '19:y@thread.tacv2' });
  });
});
