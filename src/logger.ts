/**
 * A minimal leveled JSON logger on stderr. Callers never pass credentials or upstream URLs.
 * Inside a request (src/plugins/useRequestId.ts runs it in `requestScope`) every line carries the
 * request's id, whichever layer writes it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogLevel } from './config.js';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const requestScope = new AsyncLocalStorage<{ readonly requestId: string }>();

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const at = (name: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (order[name] < order[level]) return;
    const requestId = currentRequestId();
    write(JSON.stringify({ level: name, time: new Date().toISOString(), message, ...(requestId ? { requestId } : {}), ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
