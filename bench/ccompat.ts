/**
 * `npm run bench:ccompat`: the Confluent-compatible API and the drafts.
 *   - HTTP, against one Canon on embedded PGlite (a child process): `GET /health` as the reference of
 *     this run, then what serializers and deserializers call — `GET /schemas/ids/{id}` (a consumer
 *     meeting an id), `POST /subjects/{s}` (a producer looking up its schema's id), and
 *     `POST /subjects/{s}/versions` of a schema already registered (autoRegister on every start) —
 *     requests per second with autocannon, 10 connections, one after the other;
 *   - the diff engine in this process: the built-in item contract compared with itself (same draft,
 *     the reference) and with a draft-07 rewrite of it (read in two drafts), comparisons per second.
 * Results are written into docs/benchmarks.md between the bench:ccompat markers. The machine is shared
 * and noisy: compare each figure with its reference from the same run.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { compareSchemas } from '../src/modules/contracts/compatibility/compatibility.ts';
import { withContractIds } from '../src/modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../src/modules/contracts/contracts-folder.ts';
import { startCanon } from './canon-process.ts';
import { writeDocsBlock } from './docs-block.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ADMIN = `bench-admin-${randomBytes(16).toString('hex')}`;
const AUTH = `Basic ${Buffer.from(`bench:${ADMIN}`).toString('base64')}`;
const MEDIA = 'application/vnd.schemaregistry.v1+json';

async function rate(url: string, method: 'GET' | 'POST', body?: string): Promise<number> {
  const result = await autocannon({
    url,
    method,
    connections: 10,
    duration: SECONDS,
    headers: { authorization: AUTH, 'content-type': MEDIA, accept: MEDIA },
    body,
  });
  if (result.non2xx > 0) throw new Error(`${method} ${url}: ${result.non2xx} answers were not 2xx`);
  return Math.round(result.requests.average);
}

/** The same document in draft-07 spelling: `$defs` → `definitions` and the local `$ref`s into them. */
function toDraft07(doc: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(doc)
    .replaceAll('"$defs"', '"definitions"')
    .replaceAll('"#/$defs/', '"#/definitions/');
  return { ...JSON.parse(text), $schema: 'http://json-schema.org/draft-07/schema#' };
}

/** The built-in contracts by id: the item contract references the uom contract. */
const BUILT_INS = new Map(
  readContractsFolder(BUILT_IN_CONTRACTS_DIR).map((d) => {
    const doc = withContractIds(d.contract, d.version, d.schema);
    return [String(doc.$id), doc] as const;
  }),
);
const external = (uri: string) => BUILT_INS.get(uri);

function comparisonsPerSecond(a: Record<string, unknown>, b: Record<string, unknown>): number {
  for (let i = 0; i < 200; i++) compareSchemas(a, b, { external });
  const n = 1_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) compareSchemas(a, b, { external });
  return Math.round(n / (Number(process.hrtime.bigint() - started) / 1e9));
}

async function main(): Promise<void> {
  const item = readContractsFolder(BUILT_IN_CONTRACTS_DIR).find((d) => d.contract === 'item')!;
  const stored = withContractIds('item', item.version, item.schema);
  // alternated, five rounds each, medians: the first rounds pay for warming the JIT
  const same: number[] = [];
  const cross: number[] = [];
  for (let round = 0; round < 5; round++) {
    same.push(comparisonsPerSecond(stored, structuredClone(stored)));
    cross.push(comparisonsPerSecond(stored, toDraft07(stored)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sameDraft = median(same);
  const crossDraft = median(cross);
  const changes = compareSchemas(stored, toDraft07(stored), { external }).changes.length;

  // the benchmark measures the API, not the rate limiter
  const { url, child } = await startCanon(ADMIN, { CANON_RATE_LIMITS: 'admin=1000000/1000000' });
  try {
    const schema = JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { number: { type: 'string' }, quantity: { type: 'number' } },
    });
    const body = JSON.stringify({ schemaType: 'JSON', schema });
    const registered = await fetch(`${url}/ccompat/subjects/bench-orders-value/versions`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': MEDIA },
      body,
    });
    const { id } = (await registered.json()) as { id: number };
    const probe = await fetch(`${url}/ccompat/schemas/ids/${id}`, { headers: { authorization: AUTH } });
    if (!probe.ok) throw new Error(`GET /ccompat/schemas/ids/${id}: ${probe.status} ${await probe.text()}`);
    const health = await rate(`${url}/health`, 'GET');
    const byId = await rate(`${url}/ccompat/schemas/ids/${id}`, 'GET');
    const lookup = await rate(`${url}/ccompat/subjects/bench-orders-value`, 'POST', body);
    const again = await rate(`${url}/ccompat/subjects/bench-orders-value/versions`, 'POST', body);
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (2 cores, shared), Node ${process.version}, embedded PGlite, autocannon 10 connections × ${SECONDS} s each, one after the other.`,
      '',
      '| what | per second | against the reference of this run |',
      '|---|---|---|',
      `| \`GET /health\` (reference) | ${health} req | 1.00 |`,
      `| \`GET /ccompat/schemas/ids/{id}\` | ${byId} req | ${(byId / health).toFixed(2)} |`,
      `| \`POST /ccompat/subjects/{s}\` (look up by content) | ${lookup} req | ${(lookup / health).toFixed(2)} |`,
      `| \`POST /ccompat/subjects/{s}/versions\`, already registered | ${again} req | ${(again / health).toFixed(2)} |`,
      `| diff, item contract with itself (reference) | ${sameDraft} comparisons | 1.00 |`,
      `| diff, item contract with its draft-07 spelling (${changes} changes) | ${crossDraft} comparisons | ${(crossDraft / sameDraft).toFixed(2)} |`,
    ];
    console.log(lines.join('\n'));
    writeDocsBlock('bench:ccompat', lines);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
