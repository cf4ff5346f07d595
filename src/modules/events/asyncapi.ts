/**
 * An AsyncAPI 3.0 document of Canon's change events on NATS: one channel per event kind (address
 * `<prefix>.{domain}.<event>`), one `send` operation each (the document describes Canon, the
 * sender), and each message with its headers and its payload, the event's contract as JSON Schema.
 * Served at /asyncapi.json with the configured servers and prefix; docs/asyncapi.json is the same
 * for Canon's defaults (`npm run docs:asyncapi`, a test fails when it is stale).
 */
import { CANON_VERSION } from '../../version.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../contracts/contracts-folder.ts';
import { EVENT_KINDS, eventContractVersionOf } from './event-catalogue.ts';
import { HEADERS } from './relay/event-message.ts';
import type { NatsSettings } from './relay/nats-env.ts';

export interface AsyncApiOptions {
  /** nats:// URLs (credentials are left out). */
  servers: string[];
  subjectPrefix: string;
  stream: string;
}

export const DEFAULT_ASYNCAPI_OPTIONS: AsyncApiOptions = {
  servers: ['nats://localhost:4222'],
  subjectPrefix: 'canon',
  stream: 'CANON',
};

/** The document's settings from the relay's: the configured servers (without credentials), prefix and stream. */
export function asyncApiOptionsOf(nats: NatsSettings | undefined): AsyncApiOptions {
  if (!nats) return DEFAULT_ASYNCAPI_OPTIONS;
  return {
    servers: nats.servers.map((s) => s.replace(/\/\/[^@/]*@/, '//')),
    subjectPrefix: nats.stream.subjectPrefix,
    stream: nats.stream.name,
  };
}

const camel = (name: string) => name.replace(/[.-]([a-z])/g, (_, c: string) => c.toUpperCase());

const headerSchema = {
  type: 'object',
  required: [HEADERS.sequence, HEADERS.type, HEADERS.contract, HEADERS.contractVersion, HEADERS.committedAt],
  properties: {
    'Nats-Msg-Id': {
      type: 'string',
      description: 'The outbox sequence: JetStream drops a repeat within its duplicate window.',
    },
    [HEADERS.sequence]: {
      type: 'string',
      description: "The event's outbox sequence (commit order); de-duplicate by it.",
    },
    [HEADERS.type]: {
      type: 'string',
      description: 'The event type as the change feed names it, e.g. RECORD_CHANGED.',
    },
    [HEADERS.contract]: {
      type: 'string',
      description: 'The contract of the message body, e.g. event.record.changed.',
    },
    [HEADERS.contractVersion]: { type: 'string', description: 'Its version, e.g. 1.0.0.' },
    [HEADERS.recordContract]: {
      type: 'string',
      description: "The contract version of the record's data, e.g. item@1.1.0 (record and proposal events).",
    },
    [HEADERS.revision]: {
      type: 'string',
      description: 'The record revision the change made (record events).',
    },
    [HEADERS.domain]: { type: 'string', description: 'The domain (for contract events: the contract).' },
    [HEADERS.subjectId]: { type: 'string', description: 'What changed, by id.' },
    [HEADERS.originSystem]: {
      type: 'string',
      description:
        'The system the write came through: a connector skips its own echoes without parsing the body.',
    },
    [HEADERS.committedAt]: { type: 'string', format: 'date-time', description: 'When it was committed.' },
  },
};

function serverEntries(servers: string[]): Record<string, unknown> {
  return Object.fromEntries(
    servers.map((url, i) => {
      const u = new URL(url.replace(/^tls:/, 'nats:'));
      return [
        servers.length === 1 ? 'nats' : `nats-${i + 1}`,
        {
          host: u.port ? `${u.hostname}:${u.port}` : u.hostname,
          protocol: 'nats',
          description:
            'The NATS server (NATS_URL) with JetStream; the stream keeps the events (docs/events.md).',
        },
      ];
    }),
  );
}

export function asyncApiDocument(
  options: AsyncApiOptions = DEFAULT_ASYNCAPI_OPTIONS,
): Record<string, unknown> {
  const schemas = new Map(
    readContractsFolder(BUILT_IN_CONTRACTS_DIR).map((d) => [`${d.contract}@${d.version}`, d.schema]),
  );
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const kind of EVENT_KINDS) {
    const { contract, version } = eventContractVersionOf(kind.type);
    const {
      $schema: _s,
      $id: _i,
      examples,
      title,
      description,
      ...schema
    } = schemas.get(`${contract}@${version}`)!;
    const message = camel(kind.name);
    messages[message] = {
      name: kind.type,
      title: String(title),
      summary: kind.summary,
      description: String(description),
      contentType: 'application/json',
      headers: headerSchema,
      payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: { title, ...schema } },
      ...(Array.isArray(examples) ? { examples: examples.map((payload) => ({ payload })) } : {}),
      'x-canon-contract': `${contract}@${version}`,
    };
    channels[kind.name] = {
      address: `${options.subjectPrefix}.{domain}.${kind.name}`,
      title: String(title),
      description: `${kind.summary} Captured by the JetStream stream ${options.stream}.`,
      parameters: {
        domain: {
          description:
            'The domain of the record (item, uom, location, lot, work-center or a custom one); for contract events the contract. Dots in a name become _.',
        },
      },
      messages: { [message]: { $ref: `#/components/messages/${message}` } },
    };
    operations[`send${message[0].toUpperCase()}${message.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${kind.name}` },
      summary: `Canon publishes ${kind.name} once per committed change, in commit order.`,
      messages: [{ $ref: `#/channels/${kind.name}/messages/${message}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Canon change events',
      version: CANON_VERSION,
      description:
        "Every change Canon commits — record revisions, rekeys, xref links, proposals and decisions, imports, contract versions — published once and in commit order to the NATS JetStream stream, each message's body described by a versioned Canon contract (event.*) whose type package is on Canon's npm registry. Subjects: <prefix>.<domain>.<event>.",
    },
    defaultContentType: 'application/json',
    servers: serverEntries(options.servers),
    channels,
    operations,
    components: { messages },
  };
}
