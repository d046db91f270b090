/** `npm run worker`: an RPA worker process (worker/process.ts), until SIGINT / SIGTERM. */
import { ConfigError, loadConfig } from '../config.js';
import { BrowserUnavailableError } from '../tools/browser-binary.js';
import { startWorkerProcess } from './process.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = await startWorkerProcess(config, config.WORKER_PORT !== undefined ? { port: config.WORKER_PORT } : {});
  console.log(`[worker] taking RPA jobs (${config.RPA_WORKER_SLOTS} at once)${worker.url ? `; health at ${worker.url}/healthz` : ''}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: worker shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await worker.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof BrowserUnavailableError) console.error(err.message);
  else console.error('worker failed to start:', err);
  process.exit(1);
});
