/** The server's structured logger (pino). One per server instance so tests can silence it. */
import { pino, type Logger } from 'pino';
import type { ServerConfig } from './config.js';

export type { Logger };

/** Creates the logger for a server instance. */
export function createLogger(config: Pick<ServerConfig, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'herenow' } });
}
