/**
 * The exception queues: an owner's queue (or everyone's), filtered by system, domain, code and state;
 * take an exception, resolve it with a note, or do either to a selection at once (one transaction:
 * all or none). Quarantined records are marked; the summary shows resolution time per code.
 */
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { age } from '../format.ts';
import { graphql } from '../graphql.ts';
import { newKey } from '../idempotency.ts';
import { can, useMe } from '../me.tsx';
import { useFilterParams } from '../search-params.ts';

const ExceptionsQuery = graphql(`
  query Exceptions($owner: String, $system: String, $domain: String, $code: String, $states: [ExceptionState!]) {
    exceptions(owner: $owner, system: $system, domain: $domain, code: $code, states: $states, first: 100) {
      totalCount
      edges {
        node {
          id state source systemCode domain code message owner ownerReason assignee occurrences blocking
          firstSeenAt lastSeenAt recordId externalId revision lockVersion resolution
          record { id key quarantine { since } }
        }
      }
    }
    exceptionSummary(owner: $owner, domain: $domain) {
      owner domain code open acknowledged resolved wontFix meanResolutionSeconds p90ResolutionSeconds
    }
  }
`);

const Take = graphql(`
  mutation AcknowledgeException($input: AcknowledgeExceptionInput!) {
    acknowledgeException(input: $input) {
      __typename
      ... on AcknowledgeExceptionPayload { exception { id state assignee lockVersion } }
      ... on Error { code message path }
    }
  }
`);

const Resolve = graphql(`
  mutation ResolveException($input: ResolveExceptionInput!) {
    resolveException(input: $input) {
      __typename
      ... on ResolveExceptionPayload { exception { id state lockVersion } }
      ... on Error { code message path }
    }
  }
`);

const Bulk = graphql(`
  mutation ResolveExceptions($input: ResolveExceptionsInput!) {
    resolveExceptions(input: $input) {
      __typename
      ... on ResolveExceptionsPayload { exceptions { id state } }
      ... on Error { code message path }
    }
  }
`);

type Row = {
  id: string;
  state: string;
  source: string;
  systemCode: string;
  domain: string | null;
  code: string;
  message: string;
  owner: string;
  assignee: string | null;
  occurrences: number;
  blocking: boolean;
  firstSeenAt: string;
  recordId: string | null;
  externalId: string | null;
  revision: number | null;
  lockVersion: number;
  record: { id: string; key: string; quarantine: { since: string } | null } | null;
};

const seconds = (s: number | null) =>
  s === null ? '—' : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;

function ExceptionRow({
  x,
  selected,
  onSelect,
  onDone,
  mayAct,
}: {
  x: Row;
  selected: boolean;
  onSelect(on: boolean): void;
  onDone(): void;
  mayAct: boolean;
}) {
  const [note, setNote] = useState('');
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const [takeState, take] = useMutation(Take);
  const [resolveState, resolve] = useMutation(Resolve);
  // one key per act on this exception: a double click is one act
  const [key] = useState(newKey);
  const live = x.state === 'OPEN' || x.state === 'ACKNOWLEDGED';
  const act = async (kind: 'take' | 'resolve') => {
    setFailure(null);
    let err: ApiErrorShape | null;
    if (kind === 'take') {
      const r = await take({
        input: { id: x.id, lockVersion: x.lockVersion, idempotencyKey: `${key}-take` },
      });
      err = failureOf(r, r.data?.acknowledgeException);
    } else {
      const r = await resolve({
        input: { id: x.id, note: note.trim(), lockVersion: x.lockVersion, idempotencyKey: `${key}-resolve` },
      });
      err = failureOf(r, r.data?.resolveException);
    }
    if (err) setFailure(err);
    else onDone();
  };

  return (
    <Table.Tr data-testid="exception-row">
      <Table.Td>
        {mayAct && live ? (
          <Checkbox
            aria-label={`Select ${x.code} of ${x.systemCode}`}
            checked={selected}
            onChange={(e) => onSelect(e.currentTarget.checked)}
          />
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{age(x.firstSeenAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Badge
          variant="light"
          color={live ? (x.state === 'OPEN' ? 'red' : 'yellow') : 'green'}
          data-testid="exception-state"
        >
          {x.state}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={600}>
          {x.code}
        </Text>
        <Text size="xs">{x.message}</Text>
        <Text size="xs" c="dimmed">
          {x.systemCode} · {x.source.toLowerCase()} · {x.occurrences}×{x.assignee ? ` · ${x.assignee}` : ''}
        </Text>
        {failure ? <ErrorAlert error={failure} title="Not done" /> : null}
      </Table.Td>
      <Table.Td>
        {x.record ? (
          <Link href={`/records/${x.domain}/${x.record.id}`}>{x.record.key}</Link>
        ) : (
          <Text size="sm">{x.externalId ?? '—'}</Text>
        )}
        {x.record?.quarantine ? (
          <Badge color="red" variant="light" size="sm" ml="xs">
            quarantined
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{x.owner}</Text>
      </Table.Td>
      <Table.Td>
        {mayAct && live ? (
          <Group gap="xs" wrap="nowrap">
            {x.state === 'OPEN' ? (
              <Button size="xs" variant="default" disabled={takeState.fetching} onClick={() => act('take')}>
                Take
              </Button>
            ) : null}
            <TextInput
              size="xs"
              placeholder="What was done"
              aria-label={`Resolution note for ${x.code} of ${x.systemCode}`}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Button size="xs" disabled={!note.trim() || resolveState.fetching} onClick={() => act('resolve')}>
              Resolve
            </Button>
          </Group>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

const STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'WONT_FIX'] as const;

export default function ExceptionsPage() {
  const me = useMe();
  const [params, setParams] = useFilterParams();
  const filters = {
    owner: params.get('owner') || undefined,
    system: params.get('system') || undefined,
    domain: params.get('domain') || undefined,
    code: params.get('code') || undefined,
  };
  const state = params.get('state');
  const states = state ? [state as (typeof STATES)[number]] : (['OPEN', 'ACKNOWLEDGED'] as const);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ExceptionsQuery,
    variables: { ...filters, states: [...states] },
    requestPolicy: 'cache-and-network',
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkNote, setBulkNote] = useState('');
  const [bulkFailure, setBulkFailure] = useState<ApiErrorShape | null>(null);
  const [bulkState, bulk] = useMutation(Bulk);
  const [bulkKey, setBulkKey] = useState(newKey);
  if (error) return <ErrorAlert error={error} />;
  if (!data) return <Loading label="Loading exceptions" />;
  const mayAct = can(me, 'update', 'IntegrationException');
  const rows = data.exceptions.edges.map((e) => e.node as Row);
  const reload = () => {
    setSelected(new Set());
    refetch({ requestPolicy: 'network-only' });
  };
  const runBulk = async (acknowledgeOnly: boolean) => {
    setBulkFailure(null);
    const ids = rows.filter((r) => selected.has(r.id));
    const r = await bulk({
      input: {
        ids: ids.map((x) => x.id),
        lockVersions: ids.map((x) => x.lockVersion),
        acknowledgeOnly,
        note: acknowledgeOnly ? null : bulkNote.trim(),
        idempotencyKey: `${bulkKey}-${acknowledgeOnly ? 'take' : 'resolve'}`,
      },
    });
    const err = failureOf(r, r.data?.resolveExceptions);
    if (err) setBulkFailure(err);
    else {
      setBulkNote('');
      setBulkKey(newKey());
      reload();
    }
  };
  const filter = (name: string, label: string) => (
    <TextInput
      label={label}
      defaultValue={params.get(name) ?? ''}
      onBlur={(e) => setParams({ [name]: e.currentTarget.value.trim() || null })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') setParams({ [name]: e.currentTarget.value.trim() || null });
      }}
    />
  );
  return (
    <Stack>
      <Title order={2}>Exceptions</Title>
      <Group align="end">
        {filter('owner', 'Owner (team)')}
        {filter('system', 'System')}
        {filter('domain', 'Domain')}
        {filter('code', 'Code')}
        <Select
          label="State"
          value={state ?? 'LIVE'}
          data={[{ value: 'LIVE', label: 'Open or taken' }, ...STATES.map((s) => ({ value: s, label: s }))]}
          onChange={(v) => setParams({ state: v && v !== 'LIVE' ? v : null })}
          allowDeselect={false}
        />
      </Group>
      {mayAct && selected.size > 0 ? (
        <Card withBorder data-testid="bulk-actions">
          <Group align="end">
            <Text size="sm">{selected.size} selected</Text>
            <Button size="xs" variant="default" disabled={bulkState.fetching} onClick={() => runBulk(true)}>
              Take all
            </Button>
            <TextInput
              size="xs"
              label="Resolution note"
              value={bulkNote}
              onChange={(e) => setBulkNote(e.currentTarget.value)}
            />
            <Button
              size="xs"
              disabled={!bulkNote.trim() || bulkState.fetching}
              onClick={() => runBulk(false)}
            >
              Resolve all
            </Button>
          </Group>
          {bulkFailure ? <ErrorAlert error={bulkFailure} title="None was changed" /> : null}
        </Card>
      ) : null}
      <Card withBorder>
        <Text size="sm" mb="xs" data-testid="exception-count">
          {data.exceptions.totalCount} exception(s){fetching ? ' · refreshing' : ''}
        </Text>
        {rows.length === 0 ? (
          <Text c="dimmed">No exceptions here.</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <VisuallyHidden>Select</VisuallyHidden>
                </Table.Th>
                <Table.Th>Age</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>What failed</Table.Th>
                <Table.Th>Record</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Act</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((x) => (
                <ExceptionRow
                  key={x.id}
                  x={x}
                  mayAct={mayAct}
                  selected={selected.has(x.id)}
                  onSelect={(on) =>
                    setSelected((prev) => {
                      const next = new Set(prev);
                      if (on) next.add(x.id);
                      else next.delete(x.id);
                      return next;
                    })
                  }
                  onDone={reload}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Resolution time
        </Title>
        <Table data-testid="exception-summary">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Domain</Table.Th>
              <Table.Th>Code</Table.Th>
              <Table.Th>Live</Table.Th>
              <Table.Th>Closed</Table.Th>
              <Table.Th>Mean</Table.Th>
              <Table.Th>p90</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.exceptionSummary.map((s) => (
              <Table.Tr key={`${s.owner}|${s.domain}|${s.code}`}>
                <Table.Td>{s.owner}</Table.Td>
                <Table.Td>{s.domain ?? '—'}</Table.Td>
                <Table.Td>{s.code}</Table.Td>
                <Table.Td>{s.open + s.acknowledged}</Table.Td>
                <Table.Td>{s.resolved + s.wontFix}</Table.Td>
                <Table.Td>{seconds(s.meanResolutionSeconds)}</Table.Td>
                <Table.Td>{seconds(s.p90ResolutionSeconds)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
