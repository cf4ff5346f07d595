/** Structured JSON logs (pino); request handlers log through a child carrying the request id. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'canon' }, timestamp: pino.stdTimeFunctions.isoTime });
}
