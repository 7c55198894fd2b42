// `npm start`: apply migrations, connect Redis (or start one), serve the local chat and whichever
// platforms are configured, and shut down cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startSaiwu } from './start.js';
import { loadDemo } from './demo.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let saiwu;
  try {
    saiwu = await startSaiwu(config, { logger: log });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'Saiwu could not start');
    console.error(`\n${(err as Error).message}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--demo')) {
    const summary = await loadDemo(saiwu.app);
    log.info(summary, 'demo organisation loaded');
  }
  if (config.localChat) console.log(`\n赛务 Saiwu is running. Open ${saiwu.url} to use the local web chat.\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long, exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    await saiwu.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
