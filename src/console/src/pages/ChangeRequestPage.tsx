/**
 * One proposal: the field-level diff against the revision it was proposed on, validation findings,
 * the references it adds or removes, who proposed it and from where, approvals so far, and the
 * decision (four eyes; one idempotency key per decision, so a double click decides once).
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
  Textarea,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { FieldDiff } from '../components/FieldDiff.tsx';
import { Loading } from '../components/Loading.tsx';
import { useContractSchema } from '../contract-schema.ts';
import { fieldChanges } from '../diff.ts';
import { formatDate, recordLabel } from '../format.ts';
import { graphql } from '../graphql.ts';
import { useIdempotencyKey } from '../idempotency.ts';
import { useMe } from '../me.tsx';

const ChangeRequestQuery = graphql(`
  query ChangeRequest($id: ID!) {
    changeRequest(id: $id) {
      id
      domain
      operation
      status
      createdAt
      updatedAt
      proposedById
      proposedByName
      systemCode
      reason
      decisionReason
      requiredApprovals
      approvals { actorName at comment }
      viewerCanApprove
      baseRevision
      appliedRevision
      contractVersion
      effectiveFrom
      proposed
      conflict
      diff { path op before after }
      validation { code path severity message }
      referenceChanges { op field domain key site }
      record { id key latestRevision data }
      possibleDuplicates { recordId key score rule reasons { rule message } }
      merge { survivorId mergedId mergedKey fields { path source rule } }
    }
  }
`);

const Approve = graphql(`
  mutation ApproveChange($input: ApproveChangeInput!) {
    approveChange(input: $input) {
      __typename
      ... on ApproveChangePayload { changeRequest { id status appliedRevision approvals { actorName } } }
      ... on Error { code message path }
    }
  }
`);

const Reject = graphql(`
  mutation RejectChange($input: RejectChangeInput!) {
    rejectChange(input: $input) {
      __typename
      ... on RejectChangePayload { changeRequest { id status decisionReason } }
      ... on Error { code message path }
    }
  }
`);

const Withdraw = graphql(`
  mutation WithdrawChange($input: WithdrawChangeInput!) {
    withdrawChange(input: $input) {
      __typename
      ... on WithdrawChangePayload { changeRequest { id status } }
      ... on Error { code message path }
    }
  }
`);

const STALE_CODES = new Set(['VERSION_CONFLICT', 'STALE_BASE', 'CONFLICT']);

export default function ChangeRequestPage({ id }: { id: string }) {
  const me = useMe();
  const [{ data, error, fetching }, refetch] = useQuery({ query: ChangeRequestQuery, variables: { id } });
  const schema = useContractSchema(data?.changeRequest?.contractVersion);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const approveKey = useIdempotencyKey();
  const rejectKey = useIdempotencyKey();
  const [approving, approve] = useMutation(Approve);
  const [rejecting, reject] = useMutation(Reject);
  const withdrawKey = useIdempotencyKey();
  const [withdrawing, withdraw] = useMutation(Withdraw);

  if (fetching && !data) return <Loading label="Loading the change request" />;
  if (error) return <ErrorAlert error={error} />;
  const cr = data?.changeRequest;
  if (!cr) return <Alert title="Not found">No change request with this id, or you may not see it.</Alert>;

  const own = cr.proposedById === me.id;
  const pending = cr.status === 'PENDING';
  const conflict = cr.conflict as { currentRevision?: number; current?: Record<string, unknown> } | null;
  /** One decision: its answer's error shown, its key renewed once answered, the proposal reloaded. */
  const decide = async (
    key: { key: string; renew(): void },
    send: (idempotencyKey: string) => Promise<{ failure: ApiErrorShape | null }>,
  ) => {
    setFailure(null);
    const { failure: refused } = await send(key.key);
    if (refused) setFailure(refused);
    else key.renew();
    refetch({ requestPolicy: 'network-only' });
  };
  const onApprove = () =>
    decide(approveKey, async (idempotencyKey) => {
      const r = await approve({ input: { id: cr.id, comment: comment || undefined, idempotencyKey } });
      return { failure: failureOf(r, r.data?.approveChange) };
    });
  const onReject = () =>
    decide(rejectKey, async (idempotencyKey) => {
      const r = await reject({ input: { id: cr.id, reason, idempotencyKey } });
      return { failure: failureOf(r, r.data?.rejectChange) };
    });
  const onWithdraw = () =>
    decide(withdrawKey, async (idempotencyKey) => {
      const r = await withdraw({ input: { id: cr.id, idempotencyKey } });
      return { failure: failureOf(r, r.data?.withdrawChange) };
    });

  return (
    <Stack component="section" aria-labelledby="cr-title">
      <Group justify="space-between">
        <Title order={2} id="cr-title">
          {cr.operation} {cr.domain}: {recordLabel(cr.proposed, cr.record?.key)}
        </Title>
        <Badge
          size="lg"
          variant="light"
          color={pending ? 'yellow' : cr.status === 'APPLIED' ? 'green' : 'gray'}
          data-testid="cr-status"
        >
          {cr.status}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Proposed by
          </Text>
          <Text>
            {cr.proposedByName ?? '—'}{' '}
            {cr.systemCode ? <Badge variant="outline">{cr.systemCode}</Badge> : null}
          </Text>
          <Text size="sm">{formatDate(cr.createdAt)}</Text>
          {cr.reason ? <Text size="sm">“{cr.reason}”</Text> : null}
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Record
          </Text>
          {cr.record ? (
            <Link href={`/records/${cr.domain}/${cr.record.id}`}>
              {recordLabel(cr.record.data, cr.record.key)}
            </Link>
          ) : (
            <Text>New record</Text>
          )}
          <Text size="sm">
            Proposed on revision {cr.baseRevision ?? (cr.record ? 'newest' : '—')}
            {cr.record ? `; the record is at revision ${cr.record.latestRevision}` : ''}
          </Text>
          <Text size="sm">
            Contract {cr.contractVersion}; effective{' '}
            {cr.effectiveFrom ? formatDate(cr.effectiveFrom) : 'when it is approved'}
          </Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Approvals
          </Text>
          <Text data-testid="approvals">
            {cr.approvals.length} of {cr.requiredApprovals} required
          </Text>
          <List size="sm">
            {cr.approvals.map((a) => (
              <List.Item key={a.at}>
                {a.actorName}, {formatDate(a.at)}
                {a.comment ? `: ${a.comment}` : ''}
              </List.Item>
            ))}
          </List>
          {cr.decisionReason ? <Text size="sm">Reason: {cr.decisionReason}</Text> : null}
          {cr.appliedRevision ? <Text size="sm">Applied as revision {cr.appliedRevision}</Text> : null}
        </Card>
      </SimpleGrid>

      {cr.status === 'CONFLICT' && conflict ? (
        <Alert color="orange" title="Stale proposal" data-testid="stale">
          The record changed after this proposal was made (it is at revision {conflict.currentRevision}); it
          was not applied. Here is the current state against what was proposed:
          <FieldDiff
            caption="Current state against the proposal"
            schema={schema}
            changes={fieldChanges(conflict.current ?? {}, cr.proposed as Record<string, unknown>)}
          />
          {cr.record ? (
            <Button
              mt="sm"
              variant="default"
              component={Link}
              href={`/records/${cr.domain}/${cr.record.id}/propose`}
            >
              Propose again on the current revision
            </Button>
          ) : null}
        </Alert>
      ) : null}

      <Title order={3}>Changes</Title>
      <FieldDiff caption="Proposed field changes" changes={cr.diff} schema={schema} />

      {cr.validation.length > 0 ? (
        <>
          <Title order={3}>Validation findings</Title>
          <Table withTableBorder aria-label="Validation findings">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Path</Table.Th>
                <Table.Th scope="col">Severity</Table.Th>
                <Table.Th scope="col">Finding</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {cr.validation.map((f) => (
                <Table.Tr key={`${f.path}-${f.code}`}>
                  <Table.Td>{f.path}</Table.Td>
                  <Table.Td>{f.severity}</Table.Td>
                  <Table.Td>
                    {f.code}: {f.message}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      ) : (
        <Text size="sm" c="dimmed">
          No validation findings: the proposal satisfies {cr.contractVersion} and the {cr.domain} rules.
        </Text>
      )}

      {cr.merge ? (
        <>
          <Title order={3}>{cr.operation === 'MERGE' ? 'Merge' : 'Unmerge'}</Title>
          <Text size="sm" data-testid="merge-details">
            {cr.operation === 'MERGE' ? 'Merges' : 'Brings back'} {cr.domain}{' '}
            <Link href={`/records/${cr.domain}/${cr.merge.mergedId}`}>{cr.merge.mergedKey}</Link>{' '}
            {cr.operation === 'MERGE' ? 'into' : 'from'}{' '}
            <Link href={`/records/${cr.domain}/${cr.merge.survivorId}`}>
              {cr.operation === 'MERGE' ? (cr.record?.key ?? 'the survivor') : 'the survivor'}
            </Link>
            {cr.operation === 'MERGE'
              ? ': its references and cross-references move to the survivor, which takes the fields below.'
              : '.'}
          </Text>
          {cr.merge.fields.length > 0 ? (
            <List size="sm">
              {cr.merge.fields
                .filter((f) => f.source !== 'SURVIVOR' || f.rule === 'CHOSEN')
                .map((f) => (
                  <List.Item key={f.path}>
                    {f.path}: {f.source === 'MERGED' ? `from ${cr.merge!.mergedKey}` : f.source.toLowerCase()}{' '}
                    ({f.rule.toLowerCase().replaceAll('_', ' ')})
                  </List.Item>
                ))}
            </List>
          ) : null}
        </>
      ) : null}

      {cr.possibleDuplicates.length > 0 ? (
        <>
          <Title order={3}>Possible duplicates</Title>
          <List data-testid="possible-duplicates">
            {cr.possibleDuplicates.map((d) => (
              <List.Item key={d.recordId}>
                <Link href={`/records/${cr.domain}/${d.recordId}`}>{d.key}</Link> — {d.score.toFixed(2)},{' '}
                {d.reasons.map((r) => r.message).join(' ')}
              </List.Item>
            ))}
          </List>
        </>
      ) : null}

      <Title order={3}>References</Title>
      {cr.referenceChanges.length === 0 ? (
        <Text size="sm" c="dimmed">
          No references added or removed.
        </Text>
      ) : (
        <List data-testid="reference-changes">
          {cr.referenceChanges.map((r) => (
            <List.Item key={`${r.op}${r.field}${r.key}`}>
              <Badge color={r.op === 'ADDED' ? 'green' : 'red'} variant="light" mr="xs">
                {r.op === 'ADDED' ? 'adds' : 'removes'}
              </Badge>
              {r.field} → {r.domain} {r.key}
              {r.site ? ` (site ${r.site})` : ''}
            </List.Item>
          ))}
        </List>
      )}

      {failure ? (
        <ErrorAlert error={failure} title="The decision was not made">
          {STALE_CODES.has(failure.code) ? (
            <Button mt="sm" variant="light" onClick={() => refetch({ requestPolicy: 'network-only' })}>
              Show the current state
            </Button>
          ) : null}
        </ErrorAlert>
      ) : null}

      {pending && !cr.viewerCanApprove && !own ? (
        <Text size="sm" c="dimmed" data-testid="read-only">
          You can read this proposal; deciding on it is for stewards.
        </Text>
      ) : null}
      {pending && (cr.viewerCanApprove || own) ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder component="section" aria-label="Approve">
            <Stack>
              <Textarea
                label="Comment (optional)"
                value={comment}
                onChange={(e) => setComment(e.currentTarget.value)}
              />
              {own ? (
                <>
                  <Text size="sm" id="four-eyes">
                    You proposed this change: another steward must approve it (four eyes).
                  </Text>
                  <Button variant="default" onClick={onWithdraw} loading={withdrawing.fetching}>
                    Withdraw my proposal
                  </Button>
                </>
              ) : null}
              <Button
                onClick={onApprove}
                loading={approving.fetching}
                disabled={!cr.viewerCanApprove || approving.fetching}
                aria-describedby={own ? 'four-eyes' : undefined}
              >
                Approve
              </Button>
            </Stack>
          </Card>
          <Card withBorder component="section" aria-label="Reject">
            <Stack>
              <Textarea
                label="Reason for rejecting"
                description="The proposer sees it."
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
              />
              <Button
                color="red"
                variant="light"
                onClick={onReject}
                loading={rejecting.fetching}
                disabled={!reason.trim() || rejecting.fetching || !cr.viewerCanApprove}
              >
                Reject
              </Button>
            </Stack>
          </Card>
        </SimpleGrid>
      ) : null}
    </Stack>
  );
}
