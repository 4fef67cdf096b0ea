/**
 * Structured logging. Messages are sentences; details go in fields, never in the message text.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
}

/** JSON lines on stderr (stdout is kept for command output such as `meshlog logs`). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({ level: options.level ?? process.env['MESHLOG_LOG_LEVEL'] ?? 'info', base: undefined }, pino.destination(2));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
