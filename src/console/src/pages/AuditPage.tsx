/** The audit trail, filtered by action and subject, with the result of verifying its hash chain. */
import { Alert, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from 'urql';
import { ErrorAlert, errorMember } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { formatDate } from '../format.ts';
import { graphql, type VariablesOf } from '../graphql.ts';
import { can, useMe } from '../me.tsx';
import { useFilterParams } from '../search-params.ts';

const AuditQuery = graphql(`
  query Audit(
    $first: Int
    $after: String
    $action: AuditAction
    $subjectType: String
    $subjectId: String
    $orderBy: AuditOrder
  ) {
    auditEvents(
      first: $first
      after: $after
      action: $action
      subjectType: $subjectType
      subjectId: $subjectId
      orderBy: $orderBy
    ) {
      pageInfo { hasNextPage endCursor }
      edges { node { sequence action actorName systemCode subjectType subjectId at hash } }
    }
  }
`);

const VerifyQuery = graphql(`
  query VerifyAuditChain {
    verifyAuditChain {
      __typename
      ... on AuditChainVerification { valid checked brokenAt }
      ... on Error { code message }
    }
  }
`);

// the actions come from the schema itself (introspection): a new one appears without a console release
const AuditActionsQuery = graphql(`
  query AuditActions {
    __type(name: "AuditAction") { enumValues { name } }
  }
`);

type Action = NonNullable<VariablesOf<typeof AuditQuery>['action']>;

function ChainVerification() {
  const [{ data, fetching }, verify] = useQuery({ query: VerifyQuery, pause: true });
  const result = data?.verifyAuditChain;
  const failure = errorMember(result);
  return (
    <Group>
      <Button variant="light" onClick={() => verify({ requestPolicy: 'network-only' })} loading={fetching}>
        Verify the chain
      </Button>
      {failure ? <ErrorAlert error={failure} /> : null}
      {result?.__typename === 'AuditChainVerification' ? (
        <Alert color={result.valid ? 'green' : 'red'} data-testid="chain-result" py="xs">
          {result.valid
            ? `The chain is intact: ${result.checked} entries checked.`
            : `The chain is broken at sequence ${result.brokenAt} (${result.checked} entries checked).`}
        </Alert>
      ) : null}
    </Group>
  );
}

export default function AuditPage() {
  const me = useMe();
  const [params, setFilter] = useFilterParams();
  const variables = {
    first: 50,
    after: params.get('after') || undefined,
    action: (params.get('action') as Action | null) ?? undefined,
    subjectType: params.get('type') || undefined,
    subjectId: params.get('subject') || undefined,
    // what just happened first; the chain's own order on request
    orderBy: (params.get('order') === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST') as
      | 'OLDEST_FIRST'
      | 'NEWEST_FIRST',
  };
  const [{ data, error, fetching }] = useQuery({ query: AuditQuery, variables });
  const [known] = useQuery({ query: AuditActionsQuery });
  const enumValues = (known.data as { __type?: { enumValues?: { name: string }[] } } | undefined)?.__type
    ?.enumValues;
  const actions = (enumValues ?? []).map((v) => v.name).sort();
  const set = (k: string, v: string | null) => setFilter({ [k]: v });
  return (
    <Stack component="section" aria-labelledby="audit-title">
      <Title order={2} id="audit-title">
        Audit
      </Title>
      {can(me, 'manage', 'all') ? (
        <ChainVerification />
      ) : (
        <Text size="sm" c="dimmed">
          Admins verify the hash chain; every entry below carries its hash.
        </Text>
      )}
      <Group align="end">
        <Select
          label="Action"
          data={[{ value: '', label: 'Any action' }, ...actions.map((a) => ({ value: a, label: a }))]}
          value={variables.action ?? ''}
          onChange={(v) => set('action', v || null)}
          allowDeselect={false}
          searchable
        />
        <TextInput
          label="Subject type"
          placeholder="e.g. ChangeRequest"
          defaultValue={variables.subjectType ?? ''}
          onBlur={(e) => set('type', e.currentTarget.value.trim() || null)}
        />
        <TextInput
          label="Subject id"
          defaultValue={variables.subjectId ?? ''}
          onBlur={(e) => set('subject', e.currentTarget.value.trim() || null)}
        />
        <Select
          label="Order"
          data={[
            { value: 'newest', label: 'Newest first' },
            { value: 'oldest', label: 'Oldest first' },
          ]}
          value={variables.orderBy === 'OLDEST_FIRST' ? 'oldest' : 'newest'}
          onChange={(v) => set('order', v === 'oldest' ? 'oldest' : null)}
          allowDeselect={false}
        />
      </Group>
      {error ? <ErrorAlert error={error} /> : null}
      {fetching && !data ? (
        <Loading label="Loading the audit trail" />
      ) : (
        <Table striped withTableBorder aria-label="Audit events" data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">#</Table.Th>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
              <Table.Th scope="col">Who</Table.Th>
              <Table.Th scope="col">Subject</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data?.auditEvents.edges.map(({ node: e }) => (
              <Table.Tr key={e.sequence} data-testid="audit-row">
                <Table.Td>{e.sequence}</Table.Td>
                <Table.Td>{formatDate(e.at)}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>
                  {e.actorName ?? 'Canon'}
                  {e.systemCode ? ` (${e.systemCode})` : ''}
                </Table.Td>
                <Table.Td>
                  {e.subjectType} {e.subjectId.slice(0, 8)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Pager
        hasPrevious={Boolean(variables.after)}
        nextCursor={data?.auditEvents.pageInfo.hasNextPage ? data.auditEvents.pageInfo.endCursor : null}
        onNext={(after) => setFilter({ after })}
      />
    </Stack>
  );
}
