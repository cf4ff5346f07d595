/**
 * `npm run bench:schema`: the GraphQL schema that follows the published contracts.
 *   - in this process: building the schema over the hand-written one from the built-in contracts,
 *     and from them plus 50 custom contracts (what each publication costs), median of several builds;
 *   - over HTTP, one Canon on embedded PGlite (a child process): the connectors' hot path
 *     (`resolveXrefs`, batches of 100 ids, autocannon with 10 connections) measured steady (the
 *     reference of this run), then while a contract version is published every 500 ms — each one a
 *     rebuild on the server and a fresh start of the compiled lane — then steady again; a checker
 *     reads every answer during the publications and counts any with errors.
 * Results are written into docs/benchmarks.md between the bench:schema markers. The machine is shared
 * and noisy: the ratio to the reference measured in the same run is the figure to compare.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import semver from 'semver';
import { schema } from '../src/graphql/schema.ts';
import { contractUri } from '../src/modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../src/modules/contracts/contracts-folder.ts';
import { buildTypedSchema, type PublishedContract } from '../src/modules/records/typed/typed-schema.ts';
import { startCanon } from './canon-process.ts';
import { writeDocsBlock } from './docs-block.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ADMIN = `bench-admin-${randomBytes(16).toString('hex')}`;
const ITEMS = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function builtIns(): PublishedContract[] {
  return readContractsFolder(BUILT_IN_CONTRACTS_DIR).map((d) => ({
    id: contractUri(d.contract, d.version),
    domain: d.contract,
    major: semver.major(d.version),
    version: `${d.contract}@${d.version}`,
    schema: d.schema,
  }));
}

const customSchema = (n: number) => ({
  type: 'object',
  required: ['code'],
  properties: {
    code: { type: 'string' },
    name: { type: 'string', description: `Name ${n}.` },
    grade: { type: 'string', enum: ['a', 'b', 'c'] },
    amount: { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$' },
    address: { type: 'object', properties: { city: { type: 'string' }, country: { type: 'string' } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
});

function buildTimes(): { builtIn: number; withCustom: number } {
  const base = builtIns();
  const custom = Array.from({ length: 50 }, (_, i) => ({
    id: contractUri(`bench-domain-${i}`, '1.0.0'),
    domain: `bench-domain-${i}`,
    major: 1,
    version: `bench-domain-${i}@1.0.0`,
    schema: customSchema(i),
  }));
  const time = (contracts: PublishedContract[], runs: number) =>
    median(
      Array.from({ length: runs }, () => {
        const started = performance.now();
        buildTypedSchema(schema, contracts);
        return performance.now() - started;
      }),
    );
  time(base, 3); // warm-up
  return { builtIn: time(base, 15), withCustom: time([...base, ...custom], 9) };
}

async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Items with an xref each in a system, and a connector token of that system. */
async function fixtures(url: string): Promise<{ token: string; system: string }> {
  const system = 'bench-odoo';
  await gql(
    url,
    ADMIN,
    'mutation { registerSystem(input: { code: "bench-odoo", name: "Odoo", kind: ERP }) { __typename } }',
  );
  await gql(
    url,
    ADMIN,
    'mutation { setApprovalPolicy(input: { domain: "item", requiredApprovals: 0 }) { __typename } }',
  );
  const links: { recordId: string; externalId: string }[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const data = await gql(
      url,
      ADMIN,
      `mutation($d: JSON!) { proposeChange(input: { domain: "item", data: $d }) { ... on ProposeChangePayload { changeRequest { recordId } } ... on Error { code message } } }`,
      { d: { code: `BENCH-${i}`, name: `Bench ${i}`, type: 'goods', uom: 'KGM', tracking: 'none' } },
    );
    links.push({ recordId: data.proposeChange.changeRequest.recordId, externalId: String(i + 1) });
  }
  await gql(
    url,
    ADMIN,
    `mutation($l: [XrefLinkInput!]!) { linkXrefs(input: { system: "${system}", domain: "item", links: $l }) { __typename } }`,
    { l: links },
  );
  const created = await gql(
    url,
    ADMIN,
    `mutation { createApiToken(input: { role: CONNECTOR, systemCode: "${system}", actorName: "bench connector" }) { ... on CreateApiTokenPayload { token } } }`,
  );
  return { token: created.createApiToken.token, system };
}

const RESOLVE = (system: string) =>
  `query R($ids: [String!]!) { resolveXrefs(system: "${system}", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { externalId recordId } } ... on Error { code } } }`;

async function idsPerSecond(url: string, token: string, system: string): Promise<number> {
  const ids = Array.from({ length: 100 }, (_, i) => String((i % ITEMS) + 1));
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: 10,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: RESOLVE(system), variables: { ids } }),
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
  return Math.round(result.requests.average * 100);
}

async function main() {
  const builds = buildTimes();
  const { url, child } = await startCanon(ADMIN, { NODE_ENV: 'production' });
  try {
    const { token, system } = await fixtures(url);
    // warm-up: the compiled lane, the caller cache, PGlite's caches
    await idsPerSecond(url, token, system);
    const steady = await idsPerSecond(url, token, system);
    const failures: string[] = [];
    let publishing = true;
    let published = 0;
    let checked = 0;
    const publisher = (async () => {
      for (let n = 1; publishing; n++) {
        try {
          await gql(
            url,
            ADMIN,
            `mutation($s: JSON!, $v: SemVer!) { registerContractVersion(input: { contract: "bench-live", version: $v, schema: $s }) { __typename } }`,
            { s: { ...customSchema(n), description: `Revision ${n}.` }, v: `1.${n}.0` },
          );
          await gql(
            url,
            ADMIN,
            `mutation($v: SemVer!) { publishContractVersion(input: { contract: "bench-live", version: $v }) { __typename ... on Error { code message } } }`,
            { v: `1.${n}.0` },
          );
          published++;
        } catch (error) {
          failures.push(`publication ${n}: ${String(error)}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const checker = (async () => {
      while (publishing) {
        try {
          const data = await gql(url, token, RESOLVE(system), { ids: ['1', '2', '3'] });
          if (data.resolveXrefs.resolutions?.length !== 3) failures.push(JSON.stringify(data));
        } catch (error) {
          failures.push(String(error));
        }
        checked++;
      }
    })();
    const during = await idsPerSecond(url, token, system);
    publishing = false;
    await Promise.all([publisher, checker]);
    const after = await idsPerSecond(url, token, system);
    const pct = (x: number) => `${Math.round((x / steady) * 100)} %`;
    const lines = [
      `Last run: ${new Date().toISOString().slice(0, 10)}, ${SECONDS} s per case, embedded PGlite, 10 connections, batches of 100 ids.`,
      '',
      '| measure | result | ratio to the steady hot path of this run |',
      '|---|---|---|',
      `| build the schema from the built-in contracts (in process, median) | ${builds.builtIn.toFixed(0)} ms | |`,
      `| … and 50 custom contracts besides | ${builds.withCustom.toFixed(0)} ms | |`,
      `| resolveXrefs, steady (the reference) | ${steady.toLocaleString('en')} ids/s | 100 % |`,
      `| resolveXrefs while a version is published every 500 ms (${published} publications, each a rebuild) | ${during.toLocaleString('en')} ids/s | ${pct(during)} |`,
      `| resolveXrefs, steady again | ${after.toLocaleString('en')} ids/s | ${pct(after)} |`,
      `| answers read during the publications / with an error | ${checked} / ${failures.length} | |`,
    ];
    writeDocsBlock('bench:schema', lines);
    console.log(lines.join('\n'));
    if (failures.length > 0) {
      console.error(failures.slice(0, 5).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
