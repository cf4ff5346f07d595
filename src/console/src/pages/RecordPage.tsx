/**
 * One golden record: its data (as of now or a chosen moment), the revision timeline with a diff per
 * revision, what it references and where it is used, its cross-references per system, and the way
 * to propose an edit.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useQuery } from 'urql';
import { Link, useSearchParams } from 'wouter';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { FieldDiff } from '../components/FieldDiff.tsx';
import { Loading } from '../components/Loading.tsx';
import { RecordData } from '../components/RecordData.tsx';
import { useContractSchema } from '../contract-schema.ts';
import { formatDate, recordLabel } from '../format.ts';
import { graphql } from '../graphql.ts';

const RecordQuery = graphql(`
  query Record($id: ID!, $asOf: DateTime) {
    record(id: $id, asOf: $asOf) {
      __typename
      id
      domain
      key
      keyAliases { key renamedAt }
      site
      status
      revision
      latestRevision
      effectiveFrom
      contractVersion
      data
      viewerCanPropose
      xrefs { systemCode system { name } externalId externalKey state syncedAt }
      history(first: 200) {
        edges {
          node {
            revision
            operation
            status
            effectiveFrom
            createdAt
            createdByName
            reason
            changeRequestId
            contractVersion
            changes { path op before after }
          }
        }
      }
      usedBy(first: 50) {
        pageInfo { hasNextPage }
        edges { field node { id domain key data } }
      }
      ... on Item { uom { id key } purchaseUom { id key } }
      ... on Location { path parent { id key } }
      ... on Lot { item { id key } }
      ... on WorkCenter { location { id key } }
    }
  }
`);

type Ref = { id: string; key: string } | null | undefined;

/** A moment as a datetime-local input's value: local time, to the second. */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export default function RecordPage({ domain, id }: { domain: string; id: string }) {
  const [params, setParams] = useSearchParams();
  const asOf = params.get('asOf') || undefined;
  const [{ data, error, fetching }] = useQuery({ query: RecordQuery, variables: { id, asOf } });
  const record = data?.record;
  const schema = useContractSchema(record?.contractVersion);
  if (fetching && !data) return <Loading label="Loading the record" />;
  if (error) return <ErrorAlert error={error} />;
  if (!record)
    return (
      <Alert title="No record at this moment">
        {asOf
          ? `The record did not exist yet on ${formatDate(asOf)}.`
          : 'No record with this id, or you may not see it.'}
        {asOf ? (
          <Button mt="sm" variant="light" onClick={() => setParams({})}>
            Show it now
          </Button>
        ) : null}
      </Alert>
    );
  const r = record as typeof record & {
    uom?: Ref;
    purchaseUom?: Ref;
    parent?: Ref;
    item?: Ref;
    location?: Ref;
    path?: string;
  };
  const references: [string, string, Ref][] = [
    ['Unit', 'uom', r.uom],
    ['Purchase unit', 'uom', r.purchaseUom],
    ['Parent', 'location', r.parent],
    ['Item', 'item', r.item],
    ['Location', 'location', r.location],
  ];
  const revisions = [...record.history.edges.map((e) => e.node)].reverse();
  const localValue = asOf ? toLocalInput(new Date(asOf)) : '';
  return (
    <Stack component="section" aria-labelledby="record-title">
      <Group justify="space-between">
        <Title order={2} id="record-title">
          {domain}: {recordLabel(record.data, record.key)}
        </Title>
        <Group>
          <Badge size="lg" variant="light" color={record.status === 'ACTIVE' ? 'green' : 'gray'}>
            {record.status}
          </Badge>
          {record.viewerCanPropose && !asOf ? (
            <Button component={Link} href={`/records/${domain}/${id}/propose`}>
              Propose an edit
            </Button>
          ) : null}
        </Group>
      </Group>
      <Group align="end">
        <TextInput
          type="datetime-local"
          step={1}
          label="As of"
          description="See the record as it was at a moment (your local time)."
          defaultValue={localValue}
          key={localValue}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setParams(v ? { asOf: new Date(v).toISOString() } : {});
          }}
        />
        {asOf ? (
          <Button variant="default" onClick={() => setParams({})}>
            Now
          </Button>
        ) : null}
      </Group>
      <Text size="sm" data-testid="record-revision">
        {`Revision ${record.revision} of ${record.latestRevision}, effective ${formatDate(record.effectiveFrom)}; `}
        {`site ${record.site ?? 'global'}; contract ${record.contractVersion}`}
        {asOf ? ` — as of ${formatDate(asOf)}` : ''}
        {r.path ? ` — ${r.path}` : ''}
        {record.keyAliases.length > 0 ? ` — formerly ${record.keyAliases.map((a) => a.key).join(', ')}` : ''}
      </Text>
      <RecordData data={record.data as Record<string, unknown>} schema={schema} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder component="section" aria-labelledby="refs-title">
          <Title order={3} size="h4" id="refs-title">
            References
          </Title>
          <List size="sm">
            {references
              .filter(([, , ref]) => ref)
              .map(([label, refDomain, ref]) => (
                <List.Item key={label}>
                  {label}: <Link href={`/records/${refDomain}/${ref!.id}`}>{ref!.key}</Link>
                </List.Item>
              ))}
          </List>
          {references.every(([, , ref]) => !ref) ? (
            <Text size="sm" c="dimmed">
              It references no other record.
            </Text>
          ) : null}
          <Title order={3} size="h4" mt="md">
            Where used
          </Title>
          {record.usedBy.edges.length === 0 ? (
            <Text size="sm" c="dimmed">
              No record references it.
            </Text>
          ) : (
            <List size="sm" data-testid="where-used">
              {record.usedBy.edges.map((e) => (
                <List.Item key={e.node.id}>
                  <Link href={`/records/${e.node.domain}/${e.node.id}`}>
                    {e.node.domain} {recordLabel(e.node.data, e.node.key)}
                  </Link>{' '}
                  <Text span size="xs" c="dimmed">
                    ({e.field})
                  </Text>
                </List.Item>
              ))}
              {record.usedBy.pageInfo.hasNextPage ? <List.Item>… and more</List.Item> : null}
            </List>
          )}
        </Card>
        <Card withBorder component="section" aria-labelledby="xrefs-title">
          <Title order={3} size="h4" id="xrefs-title">
            Cross-references
          </Title>
          {record.xrefs.length === 0 ? (
            <Text size="sm" c="dimmed">
              No system has linked its id to this record.
            </Text>
          ) : (
            <Table aria-label="Cross-references per system">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">System</Table.Th>
                  <Table.Th scope="col">Its id</Table.Th>
                  <Table.Th scope="col">Synced</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {record.xrefs.map((x) => (
                  <Table.Tr key={`${x.systemCode}${x.externalId}`}>
                    <Table.Td>{x.system.name}</Table.Td>
                    <Table.Td>
                      {x.externalId}
                      {x.externalKey ? ` (${x.externalKey})` : ''}
                    </Table.Td>
                    <Table.Td>{formatDate(x.syncedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <Title order={3}>History</Title>
      <Timeline active={revisions.length} bulletSize={20} lineWidth={2} data-testid="timeline">
        {revisions.map((rev) => (
          <Timeline.Item
            key={rev.revision}
            title={`Revision ${rev.revision}: ${rev.operation}`}
            data-testid="revision"
          >
            <Text size="sm" c="dimmed">
              {rev.createdByName ?? 'Canon'}, {formatDate(rev.createdAt)}; effective{' '}
              {formatDate(rev.effectiveFrom)}
              {rev.reason ? ` — “${rev.reason}”` : ''}
              {rev.changeRequestId ? (
                <>
                  {' '}
                  — <Link href={`/change-requests/${rev.changeRequestId}`}>proposal</Link>
                </>
              ) : null}
            </Text>
            <FieldDiff
              caption={`Changes of revision ${rev.revision}`}
              changes={rev.changes}
              schema={schema}
            />
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}
