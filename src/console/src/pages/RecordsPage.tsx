/** Golden records of a domain: search by key or name, filter by site and status, paged by cursor. */
import { Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { can, useMe } from '../me.tsx';
import { useFilterParams } from '../search-params.ts';

const RecordsQuery = graphql(`
  query Records($domain: String!, $first: Int, $after: String, $filter: RecordFilter) {
    records(domain: $domain, first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      edges { node { id key site status revision updatedAt data } }
    }
    contracts(first: 100) { edges { node { name } } }
  }
`);

// counting a large domain takes longer than a page: the count comes apart and does not hold it up
const RecordCountQuery = graphql(`
  query RecordCount($domain: String!, $filter: RecordFilter) {
    records(domain: $domain, first: 1, filter: $filter) { totalCount }
  }
`);

export default function RecordsPage({ domain }: { domain: string }) {
  const me = useMe();
  const [, navigate] = useLocation();
  const [params, set] = useFilterParams();
  const filter = {
    search: params.get('q') || undefined,
    site: params.get('site') || undefined,
    status: (params.get('status') as 'ACTIVE' | 'RETIRED' | 'ALL' | null) ?? undefined,
  };
  const [{ data, error, fetching }] = useQuery({
    query: RecordsQuery,
    variables: { domain, first: 50, after: params.get('after') || undefined, filter },
  });
  const [count] = useQuery({ query: RecordCountQuery, variables: { domain, filter } });
  const rows = data?.records.edges.map((e) => e.node) ?? [];
  const domains = data?.contracts.edges.map((e) => e.node.name) ?? [domain];
  return (
    <Stack component="section" aria-labelledby="records-title">
      <Group justify="space-between">
        <Title order={2} id="records-title">
          Records
        </Title>
        {can(me, 'propose', 'GoldenRecord') ? (
          <Button component={Link} href={`/records/${domain}/new`}>
            Propose a new {domain}
          </Button>
        ) : null}
      </Group>
      <Group align="end">
        <Select
          label="Domain"
          value={domain}
          data={domains.includes(domain) ? domains : [domain, ...domains]}
          onChange={(v) => v && navigate(`/records/${v}`)}
          allowDeselect={false}
        />
        <TextInput
          label="Search"
          placeholder="key or name"
          defaultValue={filter.search ?? ''}
          onKeyDown={(e) => e.key === 'Enter' && set({ q: e.currentTarget.value.trim() || null })}
          onBlur={(e) => set({ q: e.currentTarget.value.trim() || null })}
        />
        <TextInput
          label="Site"
          placeholder="any"
          defaultValue={filter.site ?? ''}
          onBlur={(e) => set({ site: e.currentTarget.value.trim().toUpperCase() || null })}
        />
        <Select
          label="Status"
          value={filter.status ?? 'ACTIVE'}
          data={[
            { value: 'ACTIVE', label: 'Active' },
            { value: 'RETIRED', label: 'Retired' },
            { value: 'ALL', label: 'All' },
          ]}
          onChange={(v) => set({ status: v === 'ACTIVE' ? null : v })}
          allowDeselect={false}
        />
      </Group>
      {error ? <ErrorAlert error={error} /> : null}
      {fetching && !data ? (
        <Loading label="Loading records" />
      ) : (
        <Table
          striped
          highlightOnHover
          withTableBorder
          aria-label={`${domain} records`}
          data-testid="records-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Key</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Site</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Revision</Table.Th>
              <Table.Th scope="col">Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={6}>
                  <Text c="dimmed">No records match.</Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
            {rows.map((r) => (
              <Table.Tr key={r.id} data-testid="record-row">
                <Table.Td>
                  <Link href={`/records/${domain}/${r.id}`}>{r.key}</Link>
                </Table.Td>
                <Table.Td>{String((r.data as { name?: unknown }).name ?? '')}</Table.Td>
                <Table.Td>{r.site ?? '—'}</Table.Td>
                <Table.Td>{r.status}</Table.Td>
                <Table.Td>{r.revision}</Table.Td>
                <Table.Td>{formatDate(r.updatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Pager
        summary={count.data ? `${count.data.records.totalCount} records match` : 'Counting…'}
        hasPrevious={Boolean(params.get('after'))}
        nextCursor={data?.records.pageInfo.hasNextPage ? data.records.pageInfo.endCursor : null}
        onNext={(after) => set({ after })}
      />
    </Stack>
  );
}
