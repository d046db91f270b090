/**
 * `npm start`: the bot with its local console, the sandbox portals (unless real legacy URLs are
 * configured), embedded PGlite (unless DATABASE_URL is set) and the command planner.
 */
import { ConfigError, consoleAuthMode, loadConfig, usesSandbox } from './config.js';
import { DataDirLockedError } from './store/db.js';
import { AuditKeyError } from './store/audit-keys.js';
import { startApp } from './app.js';
import { BrowserUnavailableError } from './tools/browser-binary.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  const app = await startApp(config, { log: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' });
  const consoleUrl = app.url.replace('127.0.0.1', 'localhost');
  console.log(
    [
      `Switchboard is up in ${((Date.now() - started) / 1000).toFixed(1)} s (node ${process.version})`,
      `  console:   ${consoleUrl}/console`,
      `  health:    ${consoleUrl}/healthz`,
      `  database:  ${app.db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
      `  portals:   ${usesSandbox(config) ? `sandbox at ${app.sandbox?.url}` : 'configured legacy systems'}`,
      `  browser:   ${app.browser()?.describe ?? 'not started'}`,
      `  audit:     keyed chain, signed heads in ${config.DATA_DIR}/audit-anchors.jsonl; check with npm run audit -- verify`,
      // The personas exist only in the demo (loopback, no login).
      ...(consoleAuthMode(config) === 'demo'
        ? ['  try as bob:   查端口 OLT-HZ-01 0/1/3', '  try as alice: 补全工单 T20261124-0012   (then approve as carol)']
        : []),
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof BrowserUnavailableError || err instanceof AuditKeyError) {
    console.error(err.message);
  } else {
    console.error('Switchboard failed to start:', err);
  }
  process.exit(1);
});
