/**
 * API tokens: yours (admins: everyone's). Admins issue tokens; a secret is shown once, with a copy
 * button, and never again. Rotate replaces a secret, revoke ends it at once.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../graphql.ts';
import { newKey } from '../idempotency.ts';
import { useMe } from '../me.tsx';

const TokensQuery = graphql(`
  query Tokens {
    apiTokens(first: 200) {
      edges { node { id name prefix createdAt expiresAt lastUsedAt revokedAt actor { name role systemCode } } }
    }
  }
`);

const Create = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      __typename
      ... on CreateApiTokenPayload { token notice apiToken { id name } }
      ... on Error { code message path }
    }
  }
`);

const Rotate = graphql(`
  mutation RotateApiToken($input: RotateApiTokenInput!) {
    rotateApiToken(input: $input) {
      __typename
      ... on RotateApiTokenPayload { token notice apiToken { id name } }
      ... on Error { code message path }
    }
  }
`);

const Revoke = graphql(`
  mutation RevokeApiToken($input: RevokeApiTokenInput!) {
    revokeApiToken(input: $input) {
      __typename
      ... on RevokeApiTokenPayload { apiToken { id revokedAt } }
      ... on Error { code message path }
    }
  }
`);

const ROLES = ['STEWARD', 'VIEWER', 'CONNECTOR', 'PIPELINE', 'ADMIN'] as const;

function Secret({ label, secret, onDismiss }: { label: string; secret: string; onDismiss(): void }) {
  return (
    <Alert
      color="green"
      title={label}
      withCloseButton
      closeButtonLabel="I have stored the secret"
      onClose={onDismiss}
    >
      Copy it now: Canon keeps only its hash and will not show it again.
      <Group mt="xs">
        <Code data-testid="token-secret">{secret}</Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="compact-sm" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}

function CreateForm({ onCreated }: { onCreated(secret: string): void }) {
  const [name, setName] = useState('');
  const [actorName, setActorName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('STEWARD');
  const [systemCode, setSystemCode] = useState('');
  const [days, setDays] = useState<number | string>('');
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const [state, create] = useMutation(Create);
  const [key, setKey] = useState(newKey);
  const submit = async () => {
    setFailure(null);
    const r = await create({
      input: {
        name: name || undefined,
        actorName: actorName || undefined,
        role,
        systemCode: systemCode || undefined,
        expiresInDays: days === '' ? undefined : Number(days),
        idempotencyKey: key,
      },
    });
    const answer = r.data?.createApiToken;
    const err = failureOf(r, answer);
    if (err) setFailure(err);
    else if (answer?.__typename === 'CreateApiTokenPayload' && answer.token) {
      setKey(newKey());
      onCreated(answer.token);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="create-token-title">
      <Title order={3} size="h4" id="create-token-title">
        Issue a token
      </Title>
      <Group align="end" wrap="wrap">
        <TextInput label="Label" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput
          label="For (person or service)"
          value={actorName}
          onChange={(e) => setActorName(e.currentTarget.value)}
        />
        <Select
          label="Role"
          data={[...ROLES]}
          value={role}
          onChange={(v) => v && setRole(v as typeof role)}
          allowDeselect={false}
        />
        <TextInput
          label="System (connectors)"
          value={systemCode}
          onChange={(e) => setSystemCode(e.currentTarget.value)}
          disabled={role !== 'CONNECTOR'}
        />
        <NumberInput label="Expires in days" min={1} value={days} onChange={setDays} placeholder="never" />
        <Button onClick={submit} loading={state.fetching} disabled={state.fetching}>
          Issue
        </Button>
      </Group>
      {failure ? <ErrorAlert error={failure} title="No token was issued" /> : null}
    </Card>
  );
}

export default function TokensPage() {
  const me = useMe();
  const [{ data, error, fetching }, refetch] = useQuery({ query: TokensQuery });
  const [, rotate] = useMutation(Rotate);
  const [, revoke] = useMutation(Revoke);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (fetching && !data) return <Loading label="Loading tokens" />;
  return (
    <Stack component="section" aria-labelledby="tokens-title">
      <Title order={2} id="tokens-title">
        Tokens
      </Title>
      {secret ? (
        <Secret label={secret.label} secret={secret.value} onDismiss={() => setSecret(null)} />
      ) : null}
      {me.viewerCanManageTokens ? (
        <CreateForm
          onCreated={(value) => {
            setSecret({ label: 'Token issued', value });
            reload();
          }}
        />
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
      {failure ? <ErrorAlert error={failure} /> : null}
      <Table striped withTableBorder aria-label="Tokens" data-testid="tokens-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Token</Table.Th>
            <Table.Th scope="col">Who</Table.Th>
            <Table.Th scope="col">Issued</Table.Th>
            <Table.Th scope="col">Last used</Table.Th>
            <Table.Th scope="col">State</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.apiTokens.edges.map(({ node: t }) => (
            <Table.Tr key={t.id} data-testid="token-row">
              <Table.Td>
                {t.name} <Code>{t.prefix}…</Code>
              </Table.Td>
              <Table.Td>
                {t.actor.name} <Badge size="xs">{t.actor.role}</Badge>
                {t.actor.systemCode ? ` ${t.actor.systemCode}` : ''}
              </Table.Td>
              <Table.Td>{formatDate(t.createdAt)}</Table.Td>
              <Table.Td>{formatDate(t.lastUsedAt)}</Table.Td>
              <Table.Td>
                {t.revokedAt
                  ? `revoked ${formatDate(t.revokedAt)}`
                  : t.expiresAt
                    ? `expires ${formatDate(t.expiresAt)}`
                    : 'active'}
              </Table.Td>
              <Table.Td>
                {t.revokedAt ? null : (
                  <Group gap="xs">
                    <Button
                      size="compact-sm"
                      variant="light"
                      aria-label={`Rotate ${t.name}`}
                      onClick={async () => {
                        setFailure(null);
                        const r = await rotate({ input: { id: t.id, idempotencyKey: newKey() } });
                        const answer = r.data?.rotateApiToken;
                        const err = failureOf(r, answer);
                        if (err) setFailure(err);
                        else if (answer?.__typename === 'RotateApiTokenPayload' && answer.token)
                          setSecret({ label: `New secret of ${t.name}`, value: answer.token });
                        reload();
                      }}
                    >
                      Rotate
                    </Button>
                    <Button
                      size="compact-sm"
                      color="red"
                      variant="light"
                      aria-label={`Revoke ${t.name}`}
                      onClick={async () => {
                        setFailure(null);
                        const r = await revoke({ input: { id: t.id, idempotencyKey: newKey() } });
                        const err = failureOf(r, r.data?.revokeApiToken);
                        if (err) setFailure(err);
                        reload();
                      }}
                    >
                      Revoke
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
