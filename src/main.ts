// `npm start`: apply migrations, connect Redis (or start one), serve the local chat and whichever
// platforms are configured, and shut down cleanly on SIGINT/SIGTERM. `npm run demo` (--demo) also
// loads the demo organisation first.
import fs from 'node:fs';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { createLogger, scrubText, type Logger } from './logger.js';
import { startSaiwu, type Saiwu } from './start.js';
import { isLoopbackHost } from './secret-key.js';
import { DEMO_CHAT_ID, loadDemo } from './demo.js';
import { realPlatformsIn } from './platforms/index.js';

/** Configured secrets, for scrubbing what is printed outside the logger. */
let secrets: string[] = [];

// A .env in the working directory is read, but never overrides what the environment already says.
if (fs.existsSync('.env')) process.loadEnvFile('.env');

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\n${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * A crash ends the process (exit 1, after a fatal log line through the app logger and a bounded
 * attempt to stop cleanly), so a supervisor starts a fresh one: after an uncaught exception nothing
 * in the process can be trusted. Libraries do not get a say: wechat4u (loaded with the WeChat
 * adapter) installs `process.on('uncaughtException', console.log)`, which would swallow every crash
 * and print the error, request config and all, past the logger; Wechaty installs loggers for both
 * events at verbose log levels. Such listeners, now or whenever a library is loaded later, are
 * removed. Only the real process does this: tests load the adapter in-process and are not killed.
 */
function takeOverCrashes(log: Logger, stop: () => Promise<void>): void {
  let crashing = false;
  const crash = (err: unknown, origin: string) => {
    if (crashing) return;
    crashing = true;
    process.exitCode = 1;
    log.fatal({ err, origin }, 'Saiwu crashed; exiting so that a supervisor restarts it');
    setTimeout(() => process.exit(1), 5000).unref();
    stop().catch(() => undefined).finally(() => process.exit(1));
  };
  const onException = (err: Error, origin: string) => crash(err, origin);
  const onRejection = (reason: unknown) => crash(reason, 'unhandledRejection');
  const ours = new Set<unknown>([onException, onRejection]);
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const removeForeign = () => {
    for (const event of events) {
      for (const listener of (process as NodeJS.EventEmitter).listeners(event)) {
        if (ours.has(listener)) continue;
        (process as NodeJS.EventEmitter).off(event, listener as (...args: unknown[]) => void);
        log.info({ event }, 'removed a crash listener a library installed (Saiwu logs the crash and exits instead)');
      }
    }
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  removeForeign();
  // 'newListener' fires before the listener is added: look once it is there.
  process.on('newListener', (event) => {
    if (event === 'uncaughtException' || event === 'unhandledRejection') process.nextTick(removeForeign);
  });
}

async function main(): Promise<void> {
  const config = readConfig();
  secrets = secretsOf(config);
  const log = createLogger(config.logLevel, { secrets: secretsOf(config) });
  let saiwu: Saiwu | undefined;
  takeOverCrashes(log, async () => saiwu?.stop());
  try {
    saiwu = await startSaiwu(config, { logger: log });
  } catch (err) {
    log.fatal({ err }, 'Saiwu could not start');
    console.error(`\n${scrubText((err as Error).message ?? String(err), secrets)}\n`);
    process.exit(1);
  }

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
    try {
      await saiwu.stop();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'error while shutting down');
      process.exit(1);
    }
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The terminal closing: without this Node would die at once and leave a self-started Redis behind.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  if (process.argv.includes('--demo')) {
    const summary = await loadDemo(saiwu.app);
    log.info(summary, 'demo organisation loaded');
  }
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.host);
  const publicHost = new URL(config.publicBaseUrl).hostname;
  if (config.localChat && (!loopback || !isLoopbackHost(publicHost))) {
    log.warn({ host: config.host, publicBaseUrl: config.publicBaseUrl }, 'the local web chat lets anyone speak as anyone and is reachable from other machines (HOST or PUBLIC_BASE_URL is not loopback, e.g. behind a reverse proxy); set LOCAL_CHAT=off for a real deployment');
  }
  if (config.localChat) {
    const lines = [`赛务 Saiwu is running. Open ${saiwu.url} to use the local web chat.`];
    if (config.startAt) lines.push(`Rehearsal: the bot's clock started at ${config.startAt.toISOString()} (SAIWU_NOW) and runs on from there; reminders fire on that clock.`);
    if (process.argv.includes('--demo')) {
      lines.push(`Demo: pick the group "${DEMO_CHAT_ID}" and speak as demo-admin (admin) or demo-dongcheng (filer); try /mine, /units, /plan.`);
    }
    console.log(`\n${lines.join('\n')}\n`);
  } else {
    const platforms = realPlatformsIn(config.platforms).map((p) => p.label).join(' + ') || 'no chat platform';
    log.info({ platforms }, 'local web chat is off (LOCAL_CHAT=off, or a chat platform is configured; LOCAL_CHAT=on keeps it)');
    console.log(`\n赛务 Saiwu is running (${platforms}); health check at ${saiwu.url}/healthz\n`);
  }
}

main().catch((err: unknown) => {
  console.error(scrubText((err as Error)?.stack ?? String(err), secrets));
  process.exit(1);
});
