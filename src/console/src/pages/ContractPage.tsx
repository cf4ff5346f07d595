/**
 * One contract: its versions with status, a version's schema read as fields, the diff between any
 * two versions (change kinds, paths, the semver bump needed), and how to install its types.
 */
import {
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from 'urql';
import { useSearchParams } from 'wouter';
import { ContractImpactPanel } from '../components/ContractImpactPanel.tsx';
import { ErrorAlert, errorMember } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { deref, humanize, type JsonSchema } from '../schema.ts';

const ContractQuery = graphql(`
  query Contract($name: String!) {
    contract(name: $name) {
      id
      name
      description
      compatibility
      ownerTeam
      defaultDraft
      versions(first: 100) {
        edges {
          node {
            id
            version
            status
            publishedAt
            deprecatedAt
            deprecationReason
            requiredBump
            changelog
            draft
            registryId
            registryVersion
            schema
            package { name version install npmrc }
          }
        }
      }
    }
  }
`);

const DiffQuery = graphql(`
  query SchemaDiff($from: JSON!, $to: JSON!) {
    schemaDiff(from: $from, to: $to) {
      __typename
      ... on SchemaDiff { requiredBump backwardCompatible forwardCompatible changes { kind path message compatible } }
      ... on Error { code message path }
    }
  }
`);

function SchemaView({ schema }: { schema: JsonSchema }) {
  const root = deref(schema, schema) ?? schema;
  const required = new Set(root.required ?? []);
  return (
    <Table withTableBorder aria-label="Schema fields" data-testid="schema-view">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Field</Table.Th>
          <Table.Th scope="col">Type</Table.Th>
          <Table.Th scope="col">Description</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(root.properties ?? {}).map(([name, raw]) => {
          const node = deref(schema, raw) ?? {};
          const type = node.enum
            ? `one of ${node.enum.map(String).join(', ')}`
            : node.$ref
              ? `see ${node.$ref}`
              : ([] as string[]).concat(node.type ?? (node.properties ? 'object' : 'any')).join(' or ');
          return (
            <Table.Tr key={name}>
              <Table.Td>
                <Text fw={500} size="sm">
                  {humanize(name)} {required.has(name) ? <Badge size="xs">required</Badge> : null}
                </Text>
                <Code>{name}</Code>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{type}</Text>
                {node.pattern ? <Code>{node.pattern}</Code> : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{node.description ?? ''}</Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

export default function ContractPage({ name }: { name: string }) {
  const [params, setParams] = useSearchParams();
  const [{ data, error, fetching }] = useQuery({ query: ContractQuery, variables: { name } });
  const versions = data?.contract?.versions.edges.map((e) => e.node) ?? [];
  const shown = versions.find((v) => v.version === params.get('version')) ?? versions[0];
  const from = versions.find((v) => v.version === params.get('from')) ?? versions[1] ?? versions[0];
  const to = versions.find((v) => v.version === params.get('to')) ?? versions[0];
  const [diff] = useQuery({
    query: DiffQuery,
    variables: { from: from?.schema ?? {}, to: to?.schema ?? {} },
    pause: !from || !to,
  });
  if (fetching && !data) return <Loading label="Loading the contract" />;
  if (error) return <ErrorAlert error={error} />;
  const contract = data?.contract;
  if (!contract) return <Text>No contract named {name}.</Text>;
  const choose = (key: string) => (v: string | null) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (v) next.set(key, v);
      return next;
    });
  const options = versions.map((v) => ({ value: v.version, label: `${v.version} (${v.status})` }));
  // the impact of a draft by default: what its publication would mean for the consumers
  const impactOf =
    versions.find((v) => v.version === params.get('impact')) ??
    versions.find((v) => v.status === 'DRAFT') ??
    versions[0];
  const d = diff.data?.schemaDiff;
  const diffError = errorMember(d);
  return (
    <Stack component="section" aria-labelledby="contract-title">
      <Title order={2} id="contract-title">
        Contract {contract.name}
      </Title>
      <Text>{contract.description}</Text>
      <Group>
        <Badge>compatibility {contract.compatibility}</Badge>
        {contract.ownerTeam ? <Badge variant="outline">owner {contract.ownerTeam}</Badge> : null}
        <Badge variant="outline">default draft {draftName(contract.defaultDraft)}</Badge>
      </Group>
      <Tabs defaultValue="versions">
        <Tabs.List>
          <Tabs.Tab value="versions">Versions</Tabs.Tab>
          <Tabs.Tab value="schema">Schema</Tabs.Tab>
          <Tabs.Tab value="diff">Compare versions</Tabs.Tab>
          <Tabs.Tab value="impact">Consumers and impact</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="impact" pt="md">
          <Select
            label="Version"
            data={options}
            value={impactOf?.version ?? null}
            onChange={choose('impact')}
            allowDeselect={false}
            mb="sm"
          />
          {impactOf ? <ContractImpactPanel contract={contract.name} version={impactOf.version} /> : null}
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          <Table striped withTableBorder aria-label="Versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Published</Table.Th>
                <Table.Th scope="col">Bump</Table.Th>
                <Table.Th scope="col">JSON Schema</Table.Th>
                <Table.Th scope="col">Registry id</Table.Th>
                <Table.Th scope="col">Type package</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.map((v) => (
                <Table.Tr key={v.id}>
                  <Table.Td>{v.version}</Table.Td>
                  <Table.Td>
                    {v.status}
                    {v.deprecationReason ? ` — ${v.deprecationReason}` : ''}
                  </Table.Td>
                  <Table.Td>{formatDate(v.publishedAt)}</Table.Td>
                  <Table.Td>{v.requiredBump ?? '—'}</Table.Td>
                  <Table.Td data-testid="version-draft">{draftName(v.draft)}</Table.Td>
                  <Table.Td title="The Confluent-compatible API's schema id and version number">
                    {v.registryId == null ? '—' : `${v.registryId} (version ${v.registryVersion})`}
                  </Table.Td>
                  <Table.Td>
                    {v.package ? (
                      <Group gap="xs" wrap="nowrap">
                        <Code data-testid="npm-install">{v.package.install}</Code>
                        <CopyButton value={v.package.install}>
                          {({ copied, copy }) => (
                            <Button
                              size="compact-xs"
                              variant="light"
                              onClick={copy}
                              aria-label={`Copy the install command of ${v.version}`}
                            >
                              {copied ? 'Copied' : 'Copy'}
                            </Button>
                          )}
                        </CopyButton>
                      </Group>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {versions.find((v) => v.package)?.package?.npmrc ? (
            <>
              {/* a block of code may not sit inside a paragraph */}
              <Text size="sm" mt="sm">
                Point npm at Canon first (.npmrc):
              </Text>
              <Code block>{versions.find((v) => v.package)!.package!.npmrc}</Code>
            </>
          ) : null}
        </Tabs.Panel>
        <Tabs.Panel value="schema" pt="md">
          <Select
            label="Version"
            data={options}
            value={shown?.version ?? null}
            onChange={choose('version')}
            allowDeselect={false}
          />
          {shown ? <SchemaView schema={shown.schema as JsonSchema} /> : null}
        </Tabs.Panel>
        <Tabs.Panel value="diff" pt="md">
          <Group>
            <Select
              label="From"
              data={options}
              value={from?.version ?? null}
              onChange={choose('from')}
              allowDeselect={false}
            />
            <Select
              label="To"
              data={options}
              value={to?.version ?? null}
              onChange={choose('to')}
              allowDeselect={false}
            />
          </Group>
          {diffError ? <ErrorAlert error={diffError} /> : null}
          {d && d.__typename === 'SchemaDiff' ? (
            <Stack mt="md">
              <Group>
                <Badge size="lg" data-testid="required-bump">
                  needs a {d.requiredBump} bump
                </Badge>
                <Badge variant="light" color={d.backwardCompatible ? 'green' : 'red'}>
                  {d.backwardCompatible ? 'backward compatible' : 'breaks readers of old data'}
                </Badge>
                <Badge variant="light" color={d.forwardCompatible ? 'green' : 'orange'}>
                  {d.forwardCompatible ? 'forward compatible' : 'not forward compatible'}
                </Badge>
              </Group>
              <Table withTableBorder aria-label="Schema changes">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">Path</Table.Th>
                    <Table.Th scope="col">Change</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.changes.length === 0 ? (
                    <Table.Tr>
                      <Table.Td colSpan={3}>No changes.</Table.Td>
                    </Table.Tr>
                  ) : null}
                  {d.changes.map((c) => (
                    <Table.Tr key={`${c.kind}${c.path}`}>
                      <Table.Td>
                        <Badge color={c.compatible ? 'green' : 'red'} variant="light">
                          {c.kind}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Code>{c.path}</Code>
                      </Table.Td>
                      <Table.Td>{c.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          ) : null}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** DRAFT_2020_12 → 2020-12, DRAFT_07 → draft-07. */
function draftName(draft: string): string {
  return draft.replace(/^DRAFT_(\d{4})_(\d{2})$/, '$1-$2').replace(/^DRAFT_(\d{2})$/, 'draft-$1');
}
