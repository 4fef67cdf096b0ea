/**
 * Structured logging. Messages are sentences; details go in fields, never in the message text.
 *
 * Lines carry an ISO 8601 `time` and the level by name (`"level":"info"`), so that log pipelines
 * and people read them without a table of pino's numbers. On a terminal the same lines are
 * printed readably (pino-pretty); anywhere else, one JSON object per line.
 */
import { type Logger as PinoLogger, pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Readable lines instead of JSON; default: when standard error is a terminal. */
  pretty?: boolean;
}

/** Written to stderr (stdout is kept for command output such as `meshlog logs`). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? process.env['MESHLOG_LOG_LEVEL'] ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.pretty ?? process.stderr.isTTY === true) {
    // Synchronous, in this thread: a notice printed just before exit is not lost.
    return pino(settings, pretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(settings, pino.destination(2));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
