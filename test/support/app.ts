/**
 * Starts a real Canon (HTTP on a free loopback port) on a database of its own, with a known admin
 * token, and offers a GraphQL client for tests.
 */
import { randomBytes } from 'node:crypto';
import { type CanonApp, startCanon } from '../../src/app.ts';
import type { CanonConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Role } from '../../src/modules/auth/roles.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
  headers: Headers;
}

export interface TestApp {
  app: CanonApp;
  url: string;
  db: TestDatabase;
  adminToken: string;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  tokenFor(role: Role, options?: { systemCode?: string; actorName?: string }): Promise<string>;
  /** Counts the SQL statements `run` causes, leaving out the (cached) identification of the caller. */
  countQueries(run: () => Promise<unknown>): Promise<number>;
  /** The SQL statements `run` causes, in order (and any `mark` it adds between them). */
  logQueries(run: (mark: (label: string) => void) => Promise<unknown>): Promise<string[]>;
  close(): Promise<void>;
}

export function testConfig(db: TestDatabase, overrides: Partial<CanonConfig> = {}): CanonConfig {
  return {
    databaseUrl: db.databaseUrl,
    dataDir: db.dataDir,
    port: 0,
    host: '127.0.0.1',
    packageScope: '@canon',
    logLevel: 'silent',
    bootstrapAdminToken: `test-admin-${randomBytes(16).toString('hex')}`,
    environment: 'test',
    maxBodyBytes: 2 * 1024 * 1024,
    poolMax: 5,
    statementTimeoutMs: 30_000,
    ...(db.pgliteSnapshot ? { pgliteSnapshot: db.pgliteSnapshot } : {}),
    ...overrides,
  };
}

export async function startTestApp(
  overrides: Partial<CanonConfig> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const config = testConfig(db, overrides);
  let counting = false;
  let queries = 0;
  let log: string[] | null = null;
  const app = await startCanon(config, {
    log: createLogger('silent'),
    onQuery: (sql: string) => {
      // identifying the caller is cached for a moment (src/callers.ts), so whether it queries
      // depends on timing; count only what the operation itself costs. The effective-events
      // scheduler's probes (due events, stale current rows) run every second in the background:
      // not the operation's either.
      // Nor is the schema's check of the live contract versions after a change notification.
      if (
        /\beffective_event_due_at\b|from record_current where next_effective_from <= now\(\)|string_agg\(cv\.id::text/.test(
          sql,
        )
      )
        return;
      if (counting && !/\b(api_token|sor_rule)\b/.test(sql)) queries++;
      log?.push(sql);
    },
  });
  const adminToken = config.bootstrapAdminToken!;
  const gql = async (
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = adminToken,
  ) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: any[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  let counter = 0;
  const tokenFor = async (role: Role, options: { systemCode?: string; actorName?: string } = {}) => {
    if (role === 'connector' && options.systemCode) {
      // connector tokens exist only for registered systems: register one the test has not
      const known = await gql('query($c: String!) { system(code: $c) { code } }', { c: options.systemCode });
      if (!known.data?.system)
        await gql(`mutation($input: RegisterSystemInput!) { registerSystem(input: $input) { __typename } }`, {
          input: { code: options.systemCode, name: options.systemCode, kind: 'OTHER' },
        });
    }
    const r = await gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
        ... on CreateApiTokenPayload { token } ... on Error { code message } } }`,
      {
        input: {
          role: role.toUpperCase(),
          systemCode: options.systemCode,
          actorName: options.actorName ?? `${role}-${process.pid}-${++counter}`,
        },
      },
    );
    const token = r.data?.createApiToken?.token;
    if (!token) throw new Error(`could not create a ${role} token: ${JSON.stringify(r)}`);
    return token as string;
  };
  return {
    app,
    url: app.url,
    db,
    adminToken,
    gql,
    tokenFor,
    countQueries: async (run) => {
      queries = 0;
      counting = true;
      try {
        await run();
      } finally {
        counting = false;
      }
      return queries;
    },
    logQueries: async (run) => {
      const entries: string[] = [];
      log = entries;
      try {
        await run((label) => entries.push(label));
      } finally {
        log = null;
      }
      return entries;
    },
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
