/** `npm run sandbox`: the legacy portals alone, for demos and for writing RPA tools against. */
import { demo } from './seed.js';
import { startSandbox } from './server.js';

const port = Number(process.env.SANDBOX_PORT ?? 3100);
const handle = await startSandbox({ port, host: process.env.SANDBOX_HOST ?? '127.0.0.1', logger: process.env.SANDBOX_LOG === '1' });
const u = handle.url;
console.log(`Sandbox legacy portals at ${u}  (login rpa_bot / sandbox)`);
console.log(`  CRM       ${u}/crm/customers/${demo.customer.id}`);
console.log(`  Resource  ${u}/resource/ports/${demo.port.olt}/${demo.port.frame}/${demo.port.slot}/${demo.port.port}`);
console.log(`  NMS       ${u}/nms/alarms?ne=${demo.port.olt}&object=${demo.port.fsp}&state=active   (busy OLT: ${demo.busyOlt.name})`);
console.log(`  Tickets   ${u}/tickets/${demo.ticketMissing.id} (missing fields)  ${u}/tickets/${demo.ticketComplete.id} (complete)`);
console.log(`  Admin     ${u}/admin/writes  ${u}/admin/state/tickets/${demo.ticketMissing.id}`);

const stop = () => {
  handle.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
