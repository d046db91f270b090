/**
 * A separate OS process for tests/feishu-rate.processes.test.ts: one replica's Feishu channel (the
 * real SDK client against the Open API stand-in at FEISHU_DOMAIN), on its own pool of the given
 * PostgreSQL. It prints READY, waits for a line on stdin (both replicas start together), sends
 * SENDS texts into FEISHU_CHAT at once, prints DONE and exits.
 *   SHARED=0: this process's own window only (the single-process queue).
 */
import { createInterface } from 'node:readline';
import { openDb } from '../../src/store/db.js';
import { FeishuChannel } from '../../src/bot/feishu/channel.js';
import { createClient, messageApi } from '../../src/bot/feishu/sdk.js';
import { pgSendSlots } from '../../src/bot/feishu/send-slots.js';

const db = await openDb({ databaseUrl: process.env.DATABASE_URL!, dataDir: '.', poolSize: 2 });
const client = createClient({ appId: process.env.FEISHU_APP_ID!, appSecret: process.env.FEISHU_APP_SECRET!, domain: process.env.FEISHU_DOMAIN! });
const channel = new FeishuChannel(messageApi(client), {
  ...(process.env.SHARED !== '0' && { sharedSlots: (prefix: string) => pgSendSlots(db, prefix) }),
  log: (msg) => process.stderr.write(`${msg}\n`),
});
const sends = Number(process.env.SENDS ?? 10);
process.stdout.write('READY\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();
await Promise.all(Array.from({ length: sends }, (_, i) => channel.send(`chat:${process.env.FEISHU_CHAT}`, { kind: 'text', text: `${process.pid} #${i}` })));
process.stdout.write('DONE\n');
await db.close();
process.exit(0);
