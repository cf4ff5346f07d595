/**
 * A connection to NATS for the relay and for replays: the configured servers and credentials, a
 * name the server's monitoring shows, reconnecting without end (the database keeps every event, so
 * the relay only ever waits for NATS, never gives up on it).
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  headers as natsHeaders,
} from '@nats-io/transport-node';
import type { NatsSettings } from './nats-env.ts';

export async function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  return connect({
    servers: settings.servers,
    name,
    ...(settings.user ? { user: settings.user, pass: settings.password } : {}),
    ...(settings.token ? { token: settings.token } : {}),
    ...(settings.credsFile ? { authenticator: credsAuthenticator(readFileSync(settings.credsFile)) } : {}),
    timeout: 5_000,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // a dead server is noticed within ~20 s even when no socket error says so
    pingInterval: 10_000,
    maxPingOut: 2,
  });
}

/** NATS headers from a plain record. */
export function toNatsHeaders(values: Record<string, string>) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}

/** Where to look, in an error message: the servers without credentials. */
export const serversOf = (settings: NatsSettings): string =>
  settings.servers.map((s) => s.replace(/\/\/[^@/]*@/, '//')).join(', ');
