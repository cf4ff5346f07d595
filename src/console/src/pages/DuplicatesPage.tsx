/**
 * The stewards' queue of possible duplicates of a domain: both records side by side with the rules
 * that matched; "Not a duplicate" (remembered), or merge them — which survives and whose value each
 * differing field takes (MergeDialog) — as a MERGE change request another steward approves in the
 * inbox; and a match over the whole domain, followed live.
 */
import { Button, Card, Group, NumberInput, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { MergeDialog, type MergeProposal } from '../components/MergeDialog.tsx';
import { graphql } from '../graphql.ts';
import { newKey } from '../idempotency.ts';
import { can, useMe } from '../me.tsx';

const CandidatesQuery = graphql(`
  query MatchCandidates($domain: String!, $minScore: Float) {
    matchCandidates(domain: $domain, minScore: $minScore, first: 100) {
      totalCount
      edges {
        node {
          id score rule lockVersion
          left { id key data }
          right { id key data }
          reasons { rule score message }
        }
      }
    }
    matchJobs(domain: $domain, first: 1) { edges { node { id status phase records found } } }
    contracts(first: 200) { edges { node { name } } }
  }
`);

const Dismiss = graphql(`
  mutation MarkNotDuplicate($input: MarkNotDuplicateInput!) {
    markNotDuplicate(input: $input) {
      __typename
      ... on MarkNotDuplicatePayload { candidate { id status } }
      ... on Error { code message path }
    }
  }
`);

const Merge = graphql(`
  mutation MergeRecords($input: MergeRecordsInput!) {
    mergeRecords(input: $input) {
      __typename
      ... on MergeRecordsPayload { changeRequest { id status } }
      ... on Error { code message path }
    }
  }
`);

const StartMatch = graphql(`
  mutation StartMatchJob($input: StartMatchJobInput!) {
    startMatchJob(input: $input) {
      __typename
      ... on StartMatchJobPayload { job { id status } }
      ... on Error { code message path }
    }
  }
`);

type Candidate = {
  id: string;
  score: number;
  rule: string;
  lockVersion: number;
  left: { id: string; key: string; data: unknown } | null;
  right: { id: string; key: string; data: unknown } | null;
  reasons: { rule: string; score: number; message: string }[];
};

const nameOf = (data: unknown) => {
  const name = (data as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
};

function CandidateRow({ c, domain, onDone }: { c: Candidate; domain: string; onDone(): void }) {
  const [, navigate] = useLocation();
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const [dismissState, dismiss] = useMutation(Dismiss);
  const [mergeState, merge] = useMutation(Merge);
  // one key per decision on this pair: a double click is one decision
  const [key] = useState(newKey);
  const busy = dismissState.fetching || mergeState.fetching;
  const notDuplicate = async () => {
    const r = await dismiss({
      input: { id: c.id, lockVersion: c.lockVersion, idempotencyKey: `${key}-dismiss` },
    });
    const err = failureOf(r, r.data?.markNotDuplicate);
    if (err) setFailure(err);
    else onDone();
  };
  const [merging, setMerging] = useState(false);
  const propose = async (p: MergeProposal) => {
    setFailure(null);
    const r = await merge({
      input: {
        survivor: p.survivor,
        merged: p.merged,
        fieldChoices: p.fieldChoices,
        reason: p.reason.trim() || `Duplicate (${c.rule}, ${c.score.toFixed(2)})`,
        idempotencyKey: `${key}-merge`,
      },
    });
    const err = failureOf(r, r.data?.mergeRecords);
    if (err) {
      setMerging(false);
      setFailure(err);
    } else if (r.data?.mergeRecords.__typename === 'MergeRecordsPayload')
      navigate(`/change-requests/${r.data.mergeRecords.changeRequest.id}`);
  };
  if (!c.left || !c.right) return null;
  return (
    <Table.Tr data-testid="candidate-row">
      <Table.Td>
        <Text size="sm" fw={600} data-testid="candidate-score">
          {c.score.toFixed(2)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Link href={`/records/${domain}/${c.left.id}`}>{c.left.key}</Link>
        <Text size="xs">{nameOf(c.left.data)}</Text>
      </Table.Td>
      <Table.Td>
        <Link href={`/records/${domain}/${c.right.id}`}>{c.right.key}</Link>
        <Text size="xs">{nameOf(c.right.data)}</Text>
      </Table.Td>
      <Table.Td>
        {c.reasons.map((r) => (
          <Text size="xs" key={r.rule}>
            {r.rule}: {r.message}
          </Text>
        ))}
        {failure ? <ErrorAlert error={failure} title="Not done" /> : null}
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Button size="xs" variant="default" disabled={busy} onClick={notDuplicate}>
            Not a duplicate
          </Button>
          <Button size="xs" disabled={busy} onClick={() => setMerging(true)}>
            Merge…
          </Button>
        </Group>
        {merging ? (
          <MergeDialog
            opened
            left={c.left}
            right={c.right}
            busy={mergeState.fetching}
            onClose={() => setMerging(false)}
            onPropose={propose}
          />
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

export default function DuplicatesPage({ domain }: { domain: string }) {
  const me = useMe();
  const [, navigate] = useLocation();
  const [minScore, setMinScore] = useState<number | string>(0.7);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: CandidatesQuery,
    variables: { domain, minScore: Number(minScore) || 0 },
    requestPolicy: 'cache-and-network',
  });
  const [startState, start] = useMutation(StartMatch);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const job = data?.matchJobs.edges[0]?.node;
  // a running match is followed until it ends
  useEffect(() => {
    if (job?.status !== 'RUNNING') return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 1000);
    return () => clearInterval(timer);
  }, [job?.status, refetch]);
  if (error) return <ErrorAlert error={error} />;
  if (!data) return <Loading label="Loading possible duplicates" />;
  const runMatch = async () => {
    setFailure(null);
    const r = await start({ input: { domain, idempotencyKey: newKey() } });
    const err = failureOf(r, r.data?.startMatchJob);
    if (err) setFailure(err);
    refetch({ requestPolicy: 'network-only' });
  };
  const rows = data.matchCandidates.edges.map((e) => e.node as Candidate);
  return (
    <Stack>
      <Title order={2}>Possible duplicates</Title>
      <Group align="end">
        <Select
          label="Domain"
          value={domain}
          data={data.contracts.edges.map((e) => e.node.name).filter((n) => !n.startsWith('event.'))}
          onChange={(v) => v && navigate(`/duplicates/${v}`)}
          allowDeselect={false}
        />
        <NumberInput
          label="Score at least"
          value={minScore}
          onChange={setMinScore}
          min={0}
          max={1}
          step={0.05}
          decimalScale={2}
        />
        {can(me, 'merge', 'GoldenRecord') ? (
          <Button onClick={runMatch} loading={startState.fetching || job?.status === 'RUNNING'}>
            Match the whole domain
          </Button>
        ) : null}
      </Group>
      {job ? (
        <Text size="sm" data-testid="match-job">
          Last match: {job.status.toLowerCase()}
          {job.status === 'RUNNING'
            ? ` (${job.phase.toLowerCase()}, ${job.records} records read)`
            : `, ${job.found} pairs suggested`}
        </Text>
      ) : null}
      {failure ? <ErrorAlert error={failure} title="The match did not start" /> : null}
      <Card withBorder>
        <Text size="sm" mb="xs" data-testid="candidate-count">
          {data.matchCandidates.totalCount} open pair(s){fetching ? ' · refreshing' : ''}
        </Text>
        {rows.length === 0 ? (
          <Text c="dimmed">No possible duplicates at this score.</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Score</Table.Th>
                <Table.Th>Record</Table.Th>
                <Table.Th>Record</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th>Decide</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <CandidateRow
                  key={c.id}
                  c={c}
                  domain={domain}
                  onDone={() => refetch({ requestPolicy: 'network-only' })}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
