/**
 * A version's consumers and what it means for them, before it is published: the systems and packages
 * that use the contract, their last activity and majors, the notes per consumer, and whether the
 * publication waits — with who has acknowledged and who has not. Stewards acknowledge for a consumer;
 * admins may end the wait with a reason.
 */
import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { newKey } from '../idempotency.ts';
import { can, useMe } from '../me.tsx';
import { type ApiErrorShape, ErrorAlert, failureOf } from './ErrorAlert.tsx';
import { Loading } from './Loading.tsx';

const ImpactQuery = graphql(`
  query ContractImpact($contract: String!, $version: String!) {
    contractImpact(contract: $contract, version: $version) {
      __typename
      ... on ContractImpact {
        predecessor reasons state waitingFor overrideReason
        changes { kind path message }
        consumers {
          systemCode tokenName kinds owner lastActivity majors reads blocking acknowledged acknowledgedBy notes
        }
      }
      ... on Error { code message path }
    }
  }
`);

const Acknowledge = graphql(`
  mutation AcknowledgeContractImpact($input: AcknowledgeContractImpactInput!) {
    acknowledgeContractImpact(input: $input) {
      __typename
      ... on AcknowledgeContractImpactPayload { impact { state waitingFor } }
      ... on Error { code message path }
    }
  }
`);

const Override = graphql(`
  mutation OverrideContractImpact($input: OverrideContractImpactInput!) {
    overrideContractImpact(input: $input) {
      __typename
      ... on OverrideContractImpactPayload { impact { state } }
      ... on Error { code message path }
    }
  }
`);

export function ContractImpactPanel({ contract, version }: { contract: string; version: string }) {
  const me = useMe();
  const [{ data, error }, refetch] = useQuery({
    query: ImpactQuery,
    variables: { contract, version },
    requestPolicy: 'cache-and-network',
  });
  const [ackState, acknowledge] = useMutation(Acknowledge);
  const [overrideState, override] = useMutation(Override);
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  if (error) return <ErrorAlert error={error} />;
  const impact = data?.contractImpact;
  if (!impact) return <Loading label="Reading the impact" />;
  if (impact.__typename !== 'ContractImpact') return <ErrorAlert error={impact as ApiErrorShape} />;
  const ack = async (system: string) => {
    setFailure(null);
    const r = await acknowledge({ input: { contract, version, system, idempotencyKey: newKey() } });
    const err = failureOf(r, r.data?.acknowledgeContractImpact);
    if (err) setFailure(err);
    refetch({ requestPolicy: 'network-only' });
  };
  const end = async () => {
    setFailure(null);
    const r = await override({
      input: { contract, version, reason: reason.trim(), idempotencyKey: newKey() },
    });
    const err = failureOf(r, r.data?.overrideContractImpact);
    if (err) setFailure(err);
    refetch({ requestPolicy: 'network-only' });
  };
  return (
    <Stack data-testid="contract-impact">
      <Group>
        <Badge
          variant="light"
          color={impact.state === 'PENDING' ? 'red' : impact.state === 'NONE' ? 'gray' : 'green'}
          data-testid="impact-state"
        >
          {impact.state}
        </Badge>
        <Text size="sm">
          {impact.reasons.length > 0
            ? `Waits for its consumers (${impact.reasons.join(', ')}) against ${impact.predecessor ?? 'nothing'}`
            : `Does not wait for its consumers (compared with ${impact.predecessor ?? 'nothing'})`}
        </Text>
      </Group>
      {impact.waitingFor.length > 0 ? (
        <Text size="sm" data-testid="impact-waiting">
          Waiting for: {impact.waitingFor.join(', ')}
        </Text>
      ) : null}
      {impact.overrideReason ? <Text size="sm">Overridden: {impact.overrideReason}</Text> : null}
      {failure ? <ErrorAlert error={failure} title="Not done" /> : null}
      <Table aria-label="Consumers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Consumer</Table.Th>
            <Table.Th scope="col">How</Table.Th>
            <Table.Th scope="col">Owner</Table.Th>
            <Table.Th scope="col">Last activity</Table.Th>
            <Table.Th scope="col">Majors</Table.Th>
            <Table.Th scope="col">What it means</Table.Th>
            <Table.Th scope="col">Acknowledged</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {impact.consumers.map((c) => (
            <Table.Tr key={c.systemCode ?? c.tokenName ?? ''} data-testid="impact-consumer">
              <Table.Td>{c.systemCode ?? c.tokenName}</Table.Td>
              <Table.Td>{c.kinds.join(', ').toLowerCase()}</Table.Td>
              <Table.Td>{c.owner}</Table.Td>
              <Table.Td>{formatDate(c.lastActivity)}</Table.Td>
              <Table.Td>{c.majors.length ? c.majors.map((m) => `^${m}`).join(' ') : '—'}</Table.Td>
              <Table.Td>
                {c.notes.map((n) => (
                  <Text size="xs" key={n}>
                    {n}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>
                {c.acknowledged ? (
                  `by ${c.acknowledgedBy ?? '?'}`
                ) : c.blocking &&
                  impact.state === 'PENDING' &&
                  can(me, 'approve', 'ChangeRequest') &&
                  c.systemCode ? (
                  <Button size="compact-xs" disabled={ackState.fetching} onClick={() => ack(c.systemCode!)}>
                    Acknowledge for {c.systemCode}
                  </Button>
                ) : c.blocking ? (
                  'not yet'
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {impact.state === 'PENDING' && can(me, 'publishBreaking', 'ContractVersion') ? (
        <Group align="end">
          <TextInput
            label="Reason to publish without them"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Button variant="default" disabled={!reason.trim() || overrideState.fetching} onClick={end}>
            Override the wait
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
