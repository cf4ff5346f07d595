/**
 * The inbox: pending proposals, filtered and sorted on the server, paged by cursor, counted per
 * domain, refreshed live from the `changes` subscription; bulk approve / reject with one result
 * per proposal.
 */
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { ErrorAlert, errorMember } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { age, recordLabel } from '../format.ts';
import { useIdempotencyKey } from '../idempotency.ts';
import { useMe } from '../me.tsx';
import { useFilterParams } from '../search-params.ts';
import { useLiveInbox } from './inbox-live.ts';
import { ApproveChanges, InboxQuery, RejectChanges } from './inbox-queries.ts';

const PAGE_SIZE = 25;
const AGES: Record<string, number> = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000 };

type BulkResult = {
  decidedCount: number;
  failedCount: number;
  results: {
    id: string;
    changeRequest: { status: string; proposed: unknown; record: { key: string } | null } | null;
    error: { code: string; message: string } | null;
  }[];
};

export function InboxPage() {
  const me = useMe();
  const [params, set] = useFilterParams();
  const filter = {
    domain: params.get('domain') ?? undefined,
    site: params.get('site') || undefined,
    systemCode: params.get('system') || undefined,
    proposedBy: params.get('proposer') || undefined,
    age: params.get('age') || undefined,
    orderBy: (params.get('order') === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST') as
      | 'OLDEST_FIRST'
      | 'NEWEST_FIRST',
    after: params.get('after') || undefined,
  };
  // the age cut-off moves only when the filter changes, so the query stays the same between renders
  const createdBefore = useMemo(
    () =>
      filter.age && AGES[filter.age] ? new Date(Date.now() - AGES[filter.age]).toISOString() : undefined,
    [filter.age],
  );
  const variables = {
    first: PAGE_SIZE,
    after: filter.after,
    domain: filter.domain,
    site: filter.site,
    systemCode: filter.systemCode,
    proposedBy: filter.proposedBy,
    createdBefore,
    orderBy: filter.orderBy,
  };
  const [{ data, error, fetching }, refetch] = useQuery({ query: InboxQuery, variables });
  const [head, setHead] = useState<string | null>(null);
  useEffect(() => {
    if (data && head === null) setHead(data.changeFeed.headSequence);
  }, [data, head]);
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const live = useLiveInbox(head, refresh);

  const [selected, setSelected] = useState<string[]>([]);
  const [bulk, setBulk] = useState<BulkResult | null>(null);
  const [bulkError, setBulkError] = useState<{ code: string; message: string } | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [, approveMany] = useMutation(ApproveChanges);
  const [, rejectMany] = useMutation(RejectChanges);
  const [busy, setBusy] = useState(false);
  // one key per intended bulk decision: a repeated click or a retry decides nothing twice
  const bulkKey = useIdempotencyKey();

  const rows = data?.changeRequests.edges.map((e) => e.node) ?? [];
  const selectable = rows.filter((r) => r.viewerCanApprove).map((r) => r.id);
  const total = data?.changeRequestCounts.reduce((n, c) => n + c.count, 0) ?? 0;
  const proposers = new Map<string, string>([[me.id, `${me.name} (me)`]]);
  for (const r of rows) if (r.proposedById) proposers.set(r.proposedById, r.proposedByName ?? r.proposedById);

  const decide = async (kind: 'approve' | 'reject') => {
    setBusy(true);
    setBulkError(null);
    const input = { ids: selected, idempotencyKey: bulkKey.key };
    const result =
      kind === 'approve'
        ? (await approveMany({ input: { ...input, comment: 'Approved in bulk from the console' } })).data
            ?.approveChanges
        : (await rejectMany({ input: { ...input, reason } })).data?.rejectChanges;
    setBusy(false);
    setRejecting(false);
    bulkKey.renew();
    const failure = errorMember(result);
    if (failure) setBulkError(failure);
    else if (result && 'results' in result) {
      setBulk(result as BulkResult);
      setSelected([]);
    }
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <Stack component="section" aria-labelledby="inbox-title">
      <Group justify="space-between">
        <Title order={2} id="inbox-title">
          Inbox
        </Title>
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="live-status">
          {live.status === 'connecting'
            ? 'Connecting…'
            : live.status === 'reconnecting'
              ? 'Reconnecting…'
              : `Live${live.updates ? `: ${live.updates} update${live.updates > 1 ? 's' : ''}` : ''}`}
        </Text>
      </Group>
      <Tabs value={filter.domain ?? 'all'} onChange={(v) => set({ domain: v === 'all' ? null : v })}>
        <Tabs.List aria-label="Domains">
          <Tabs.Tab value="all">
            All{' '}
            <Badge size="sm" variant="light">
              {total}
            </Badge>
          </Tabs.Tab>
          {data?.changeRequestCounts.map((c) => (
            <Tabs.Tab key={c.domain} value={c.domain}>
              {c.domain}{' '}
              <Badge size="sm" variant="light">
                {c.count}
              </Badge>
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Group align="end" wrap="wrap">
        <TextInput
          label="Site"
          placeholder="any"
          defaultValue={filter.site ?? ''}
          onBlur={(e) => set({ site: e.currentTarget.value.trim().toUpperCase() || null })}
        />
        <TextInput
          label="Proposing system"
          placeholder="any"
          defaultValue={filter.systemCode ?? ''}
          onBlur={(e) => set({ system: e.currentTarget.value.trim() || null })}
        />
        <Select
          label="Proposer"
          value={filter.proposedBy ?? ''}
          data={[
            { value: '', label: 'Anyone' },
            ...[...proposers].map(([value, label]) => ({ value, label })),
          ]}
          onChange={(v) => set({ proposer: v || null })}
          allowDeselect={false}
        />
        <Select
          label="Waiting"
          value={filter.age ?? ''}
          data={[
            { value: '', label: 'Any age' },
            { value: '1h', label: 'Over an hour' },
            { value: '1d', label: 'Over a day' },
            { value: '7d', label: 'Over a week' },
          ]}
          onChange={(v) => set({ age: v || null })}
          allowDeselect={false}
        />
        <Select
          label="Order"
          value={filter.orderBy === 'OLDEST_FIRST' ? 'oldest' : 'newest'}
          data={[
            { value: 'newest', label: 'Newest first' },
            { value: 'oldest', label: 'Oldest first' },
          ]}
          onChange={(v) => set({ order: v === 'oldest' ? 'oldest' : null })}
          allowDeselect={false}
        />
      </Group>
      <Group>
        <Button disabled={selected.length === 0 || busy} onClick={() => decide('approve')} loading={busy}>
          Approve selected ({selected.length})
        </Button>
        <Button
          color="red"
          variant="light"
          disabled={selected.length === 0 || busy}
          onClick={() => setRejecting(true)}
        >
          Reject selected…
        </Button>
      </Group>
      {bulkError ? <ErrorAlert error={bulkError} title="Nothing was decided" /> : null}
      {bulk ? <BulkResults result={bulk} onClose={() => setBulk(null)} /> : null}
      {error ? <ErrorAlert error={error} /> : null}
      {fetching && !data ? (
        <Loading label="Loading the inbox" />
      ) : (
        <Table
          striped
          highlightOnHover
          withTableBorder
          aria-label="Pending change requests"
          data-testid="inbox-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">
                <Checkbox
                  aria-label="Select every proposal on this page you may approve"
                  checked={selectable.length > 0 && selectable.every((id) => selected.includes(id))}
                  onChange={(e) => setSelected(e.currentTarget.checked ? selectable : [])}
                />
              </Table.Th>
              <Table.Th scope="col">Record</Table.Th>
              <Table.Th scope="col">Domain</Table.Th>
              <Table.Th scope="col">Operation</Table.Th>
              <Table.Th scope="col">Proposed by</Table.Th>
              <Table.Th scope="col">Waiting</Table.Th>
              <Table.Th scope="col">Approvals</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text c="dimmed">Nothing waiting for a decision.</Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
            {rows.map((r) => {
              const label = recordLabel(r.proposed, r.record?.key);
              return (
                <Table.Tr key={r.id} data-testid="inbox-row">
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${label}`}
                      disabled={!r.viewerCanApprove}
                      checked={selected.includes(r.id)}
                      onChange={(e) => {
                        const checked = e.currentTarget.checked;
                        setSelected((s) => (checked ? [...s, r.id] : s.filter((x) => x !== r.id)));
                      }}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Link href={`/change-requests/${r.id}`}>{label}</Link>
                  </Table.Td>
                  <Table.Td>{r.domain}</Table.Td>
                  <Table.Td>{r.operation}</Table.Td>
                  <Table.Td>
                    {r.proposedByName ?? '—'}
                    {r.systemCode ? (
                      <Badge ml="xs" variant="outline" size="sm">
                        {r.systemCode}
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{age(r.createdAt)}</Table.Td>
                  <Table.Td>
                    {r.approvals.length} / {r.requiredApprovals}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Pager
        summary={data ? `${data.changeRequests.totalCount} pending match` : ''}
        hasPrevious={Boolean(filter.after)}
        nextCursor={data?.changeRequests.pageInfo.hasNextPage ? data.changeRequests.pageInfo.endCursor : null}
        onNext={(after) => set({ after })}
      />
      <Modal
        opened={rejecting}
        onClose={() => setRejecting(false)}
        title={`Reject ${selected.length} proposals`}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Textarea
            label="Reason"
            description="Each proposer sees it."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required
            data-autofocus
          />
          <Button
            color="red"
            disabled={!reason.trim() || busy}
            loading={busy}
            onClick={() => decide('reject')}
          >
            Reject
          </Button>
        </Stack>
      </Modal>
    </Stack>
  );
}

function BulkResults({ result, onClose }: { result: BulkResult; onClose(): void }) {
  const count = (status: string) => result.results.filter((r) => r.changeRequest?.status === status).length;
  const stale = count('CONFLICT');
  const summary = [
    `${count('APPLIED')} applied`,
    count('PENDING') > 0 ? `${count('PENDING')} approved, waiting for more approvals` : null,
    count('REJECTED') > 0 ? `${count('REJECTED')} rejected` : null,
    stale > 0 ? `${stale} stale (not applied)` : null,
    result.failedCount > 0 ? `${result.failedCount} failed` : null,
  ].filter(Boolean);
  return (
    <Alert
      color={result.failedCount > 0 || stale > 0 ? 'yellow' : 'green'}
      title={summary.join(', ')}
      withCloseButton
      closeButtonLabel="Dismiss the results"
      onClose={onClose}
      data-testid="bulk-results"
    >
      <Table aria-label="Result per proposal">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Proposal</Table.Th>
            <Table.Th scope="col">Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.results.map((r) => {
            const stale = r.changeRequest?.status === 'CONFLICT';
            return (
              <Table.Tr
                key={r.id}
                data-testid="bulk-result"
                data-outcome={r.error ? 'error' : (r.changeRequest?.status ?? '')}
              >
                <Table.Td>
                  <Link href={`/change-requests/${r.id}`}>
                    {r.changeRequest
                      ? recordLabel(r.changeRequest.proposed, r.changeRequest.record?.key)
                      : r.id}
                  </Link>
                </Table.Td>
                <Table.Td>
                  {r.error
                    ? `${r.error.code}: ${r.error.message}`
                    : stale
                      ? 'CONFLICT: the record changed since it was proposed (stale); open it to see the current state'
                      : r.changeRequest?.status}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Alert>
  );
}
