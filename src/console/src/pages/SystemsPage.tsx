/** Systems of the landscape and who owns what (system-of-record rules); admins assign and remove rules. */
import {
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { useIdempotencyKey } from '../idempotency.ts';
import { can, useMe } from '../me.tsx';

const SystemsQuery = graphql(`
  query Systems {
    systems(first: 200) { edges { node { code name kind active sites } } }
    systemOfRecordRules(first: 500) {
      edges { node { id domain site fields requiredApprovals systemCode createdAt } }
    }
    contracts(first: 200) { edges { node { name } } }
  }
`);

const Assign = graphql(`
  mutation AssignSystemOfRecord($input: AssignSystemOfRecordInput!) {
    assignSystemOfRecord(input: $input) {
      __typename
      ... on AssignSystemOfRecordPayload { systemOfRecordRule { id } }
      ... on Error { code message path }
    }
  }
`);

const Remove = graphql(`
  mutation RemoveSystemOfRecord($input: RemoveSystemOfRecordInput!) {
    removeSystemOfRecord(input: $input) {
      __typename
      ... on RemoveSystemOfRecordPayload { removedRuleId }
      ... on Error { code message path }
    }
  }
`);

function AssignForm({ systems, domains, onDone }: { systems: string[]; domains: string[]; onDone(): void }) {
  const [system, setSystem] = useState<string | null>(null);
  const [domain, setDomain] = useState<string | null>(null);
  const [site, setSite] = useState('');
  const [fields, setFields] = useState<string[]>([]);
  const [approvals, setApprovals] = useState<number | string>(0);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const key = useIdempotencyKey();
  const [state, assign] = useMutation(Assign);
  const submit = async () => {
    setFailure(null);
    const r = await assign({
      input: {
        system: system!,
        domain: domain!,
        site: site.trim() || undefined,
        fields: fields.length > 0 ? fields : undefined,
        requiredApprovals: Number(approvals) || 0,
        idempotencyKey: key.key,
      },
    });
    const err = failureOf(r, r.data?.assignSystemOfRecord);
    if (err) setFailure(err);
    else {
      key.renew();
      onDone();
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="assign-title">
      <Title order={3} size="h4" id="assign-title">
        Assign a system of record
      </Title>
      <Group align="end" wrap="wrap">
        <Select label="System" data={systems} value={system} onChange={setSystem} required searchable />
        <Select label="Domain" data={domains} value={domain} onChange={setDomain} required searchable />
        <TextInput
          label="Site"
          description="Empty: every site"
          value={site}
          onChange={(e) => setSite(e.currentTarget.value)}
        />
        <TagsInput
          label="Fields"
          description="JSON pointers, e.g. /name; empty: the whole record"
          value={fields}
          onChange={setFields}
        />
        <NumberInput
          label="Approvals its proposals need"
          min={0}
          max={5}
          value={approvals}
          onChange={setApprovals}
        />
        <Button onClick={submit} disabled={!system || !domain || state.fetching} loading={state.fetching}>
          Assign
        </Button>
      </Group>
      {failure ? <ErrorAlert error={failure} title="The rule was not assigned" /> : null}
    </Card>
  );
}

export default function SystemsPage() {
  const me = useMe();
  const admin = can(me, 'manage', 'System');
  const [{ data, error, fetching }, refetch] = useQuery({ query: SystemsQuery });
  const [, remove] = useMutation(Remove);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  if (fetching && !data) return <Loading label="Loading systems" />;
  const systems = data?.systems.edges.map((e) => e.node) ?? [];
  const rules = data?.systemOfRecordRules.edges.map((e) => e.node) ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <Stack component="section" aria-labelledby="systems-title">
      <Title order={2} id="systems-title">
        Systems and ownership
      </Title>
      {error ? <ErrorAlert error={error} /> : null}
      <Table striped withTableBorder aria-label="Systems">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">System</Table.Th>
            <Table.Th scope="col">Kind</Table.Th>
            <Table.Th scope="col">Sites</Table.Th>
            <Table.Th scope="col">State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {systems.map((s) => (
            <Table.Tr key={s.code}>
              <Table.Td>
                {s.name} <Code>{s.code}</Code>
              </Table.Td>
              <Table.Td>{s.kind}</Table.Td>
              <Table.Td>{s.sites.join(', ') || 'all'}</Table.Td>
              <Table.Td>{s.active ? 'active' : 'inactive'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={3}>System-of-record rules</Title>
      {admin ? (
        <AssignForm
          systems={systems.map((s) => s.code)}
          domains={data?.contracts.edges.map((e) => e.node.name) ?? []}
          onDone={reload}
        />
      ) : (
        <Text size="sm" c="dimmed">
          Admins assign and remove rules; you can read them.
        </Text>
      )}
      {failure ? <ErrorAlert error={failure} title="The rule was not removed" /> : null}
      <Table striped withTableBorder aria-label="System-of-record rules" data-testid="sor-rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Domain</Table.Th>
            <Table.Th scope="col">Site</Table.Th>
            <Table.Th scope="col">Fields</Table.Th>
            <Table.Th scope="col">Owner</Table.Th>
            <Table.Th scope="col">Approvals</Table.Th>
            <Table.Th scope="col">Since</Table.Th>
            {admin ? <Table.Th scope="col">Actions</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.map((r) => (
            <Table.Tr key={r.id} data-testid="sor-rule">
              <Table.Td>{r.domain}</Table.Td>
              <Table.Td>{r.site ?? 'every site'}</Table.Td>
              <Table.Td>{r.fields?.join(', ') ?? 'whole record'}</Table.Td>
              <Table.Td>
                <Badge variant="outline">{r.systemCode}</Badge>
              </Table.Td>
              <Table.Td>{r.requiredApprovals}</Table.Td>
              <Table.Td>{formatDate(r.createdAt)}</Table.Td>
              {admin ? (
                <Table.Td>
                  <Button
                    size="compact-sm"
                    color="red"
                    variant="light"
                    aria-label={`Remove the rule of ${r.systemCode} on ${r.domain}`}
                    onClick={async () => {
                      setFailure(null);
                      const res = await remove({ input: { id: r.id, idempotencyKey: `remove-${r.id}` } });
                      const err = failureOf(res, res.data?.removeSystemOfRecord);
                      if (err) setFailure(err);
                      reload();
                    }}
                  >
                    Remove
                  </Button>
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

const Code = ({ children }: { children: string }) => (
  <Text span ff="monospace" size="xs" c="dimmed">
    {children}
  </Text>
);
