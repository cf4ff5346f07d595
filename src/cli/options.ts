/**
 * Option parsers and the options every command shares. Light on purpose: the command tree is built
 * from these files alone, so `canon --help` loads no database, ORM or GraphQL schema.
 */
import { type Command, InvalidArgumentError } from 'commander';

export const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

export const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};

export const dateTime = (v: string) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new InvalidArgumentError('must be a date and time, e.g. 2026-03-01T00:00:00Z');
  return d.toISOString();
};

export interface RemoteFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/**
 * --url / --token (a running Canon instead of the database) and --json on a command. Without a URL
 * (flag or CANON_URL) the command works on the database directly.
 */
export function remoteOptions(command: Command, json = true): Command {
  command
    .option('--url <url>', 'a running Canon to call instead of the database (default: $CANON_URL)')
    .option('--token <token>', 'API token for --url (default: $CANON_TOKEN)');
  if (json) command.option('--json', 'print JSON');
  return command;
}
