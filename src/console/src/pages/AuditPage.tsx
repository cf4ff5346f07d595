/** The audit trail, filtered by action and subject, with the result of verifying its hash chain. */
import { Alert, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from 'urql';
import { useSearchParams } from 'wouter';
import { ErrorAlert, errorMember } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { can, useMe } from '../me.tsx';

const AuditQuery = graphql(`
  query Audit($first: Int, $after: String, $action: AuditAction, $subjectType: String, $subjectId: String) {
    auditEvents(first: $first, after: $after, action: $action, subjectType: $subjectType, subjectId: $subjectId) {
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

const ACTIONS = [
  'CHANGE_PROPOSED',
  'CHANGE_APPROVED',
  'CHANGE_REJECTED',
  'CHANGE_WITHDRAWN',
  'CHANGE_CONFLICTED',
  'RECORD_CREATED',
  'RECORD_REVISED',
  'RECORD_RETIRED',
  'RECORD_RESTORED',
  'SYSTEM_OF_RECORD_ASSIGNED',
  'SYSTEM_OF_RECORD_REMOVED',
  'API_TOKEN_CREATED',
  'API_TOKEN_ROTATED',
  'API_TOKEN_REVOKED',
  'CONTRACT_VERSION_PUBLISHED',
  'XREFS_LINKED',
] as const;
type Action = (typeof ACTIONS)[number];

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
  const [params, setParams] = useSearchParams();
  const variables = {
    first: 50,
    after: params.get('after') || undefined,
    action: (params.get('action') as Action | null) ?? undefined,
    subjectType: params.get('type') || undefined,
    subjectId: params.get('subject') || undefined,
  };
  const [{ data, error, fetching }] = useQuery({ query: AuditQuery, variables });
  const set = (k: string, v: string | null) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (v) next.set(k, v);
      else next.delete(k);
      next.delete('after');
      return next;
    });
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
          data={[{ value: '', label: 'Any action' }, ...ACTIONS.map((a) => ({ value: a, label: a }))]}
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
      <Group justify="end">
        <Button variant="default" disabled={!variables.after} onClick={() => window.history.back()}>
          Previous page
        </Button>
        <Button
          variant="default"
          disabled={!data?.auditEvents.pageInfo.hasNextPage}
          onClick={() =>
            setParams((prev) => {
              const next = new URLSearchParams(prev);
              next.set('after', data?.auditEvents.pageInfo.endCursor ?? '');
              return next;
            })
          }
        >
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
