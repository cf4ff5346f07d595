/**
 * Propose a new record or an edit: a form generated from the contract's JSON Schema, checked in the
 * browser against that same schema (and the contracts it references) before anything is sent, then
 * proposed with the revision it was based on and an idempotency key.
 */
import { Validator } from '@cfworker/json-schema';
import { Alert, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { useLocation } from 'wouter';
import { type ApiErrorShape, ErrorAlert, failureOf } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { SchemaForm } from '../components/SchemaForm.tsx';
import { graphql } from '../graphql.ts';
import { useIdempotencyKey } from '../idempotency.ts';
import { contractRefs, type JsonSchema } from '../schema.ts';

const ProposeContext = graphql(`
  query ProposeContext($domain: String!, $id: ID!, $editing: Boolean!) {
    contract(name: $domain) { name latestVersion { version schema } }
    record(id: $id) @include(if: $editing) { id key data latestRevision contractVersion }
  }
`);

const ReferencedSchema = graphql(`
  query ReferencedSchema($name: String!, $version: SemVer!) {
    contract(name: $name) { version(version: $version) { schema } }
  }
`);

const Propose = graphql(`
  mutation Propose($input: ProposeChangeInput!) {
    proposeChange(input: $input) {
      __typename
      ... on ProposeChangePayload { changeRequest { id status } }
      ... on ValidationError { findings { path message } }
      ... on StaleBaseError { currentRevision }
      ... on Error { code message path }
    }
  }
`);

const NO_RECORD = '00000000-0000-0000-0000-000000000000';

/** The contract's validator with every referenced contract loaded (uom codes inside items, …). */
function useValidator(schema: JsonSchema | null): Validator | null {
  const client = useClient();
  const [validator, setValidator] = useState<Validator | null>(null);
  useEffect(() => {
    if (!schema) return;
    let cancelled = false;
    (async () => {
      const v = new Validator(schema as never, '2020-12', false);
      const seen = new Set<string>();
      const queue = contractRefs(schema);
      while (queue.length > 0) {
        const ref = queue.shift()!;
        const id = `${ref.name}@${ref.version}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const r = await client.query(ReferencedSchema, ref).toPromise();
        const s = r.data?.contract?.version?.schema as JsonSchema | undefined;
        if (s) {
          v.addSchema(s as never);
          queue.push(...contractRefs(s));
        }
      }
      if (!cancelled) setValidator(v);
    })();
    return () => {
      cancelled = true;
    };
  }, [schema, client]);
  return validator;
}

export default function ProposePage({ domain, recordId }: { domain: string; recordId?: string }) {
  const [, navigate] = useLocation();
  const [{ data, error, fetching }] = useQuery({
    query: ProposeContext,
    variables: { domain, id: recordId ?? NO_RECORD, editing: Boolean(recordId) },
    requestPolicy: 'network-only',
  });
  const schema = (data?.contract?.latestVersion?.schema as JsonSchema | undefined) ?? null;
  const validator = useValidator(schema);
  const [value, setValue] = useState<Record<string, unknown> | null>(null);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const key = useIdempotencyKey();
  const [sending, propose] = useMutation(Propose);
  const initial = useMemo(() => (data?.record?.data as Record<string, unknown> | undefined) ?? {}, [data]);
  const current = value ?? initial;

  if (fetching && !data) return <Loading label="Loading the contract" />;
  if (error) return <ErrorAlert error={error} />;
  if (!schema)
    return <Alert title="No published contract">The {domain} domain has no published contract.</Alert>;

  const submit = async () => {
    setFailure(null);
    if (!validator) return;
    const result = validator.validate(current);
    if (!result.valid) {
      const found: Record<string, string> = {};
      for (const e of result.errors) {
        const pointer = e.instanceLocation.replace(/^#/, '');
        found[pointer] ??= e.error;
      }
      setErrors(found);
      return;
    }
    setErrors({});
    const input = {
      domain,
      ...(recordId ? { recordId, baseRevision: data?.record?.latestRevision } : {}),
      data: current,
      reason: reason || undefined,
      idempotencyKey: key.key,
    };
    const r = await propose({ input });
    const answer = r.data?.proposeChange;
    if (answer?.__typename === 'ProposeChangePayload') {
      key.renew();
      navigate(`/change-requests/${answer.changeRequest.id}`);
      return;
    }
    if (answer?.__typename === 'ValidationError')
      setErrors(Object.fromEntries(answer.findings.map((f) => [f.path, f.message])));
    setFailure(failureOf(r, answer));
  };

  return (
    <Stack component="section" aria-labelledby="propose-title" maw={720}>
      <Title order={2} id="propose-title">
        {recordId ? `Propose an edit to ${domain} ${data?.record?.key ?? ''}` : `Propose a new ${domain}`}
      </Title>
      <Text size="sm" c="dimmed">
        Checked against {domain}@{data?.contract?.latestVersion?.version} in your browser before it is sent;
        stewards decide on it in the inbox.
      </Text>
      <SchemaForm schema={schema} value={current} errors={errors} onChange={setValue} />
      <TextInput
        label="Reason"
        description="Why, for the stewards and the history."
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
      />
      {Object.keys(errors).length > 0 ? (
        <Alert color="red" title="The contract refuses this payload" role="alert" data-testid="form-errors">
          {Object.entries(errors).map(([path, message]) => (
            <Text size="sm" key={path}>
              {path || '/'}: {message}
            </Text>
          ))}
        </Alert>
      ) : null}
      {failure ? <ErrorAlert error={failure} title="The proposal was not made" /> : null}
      <Group>
        <Button onClick={submit} loading={sending.fetching} disabled={!validator || sending.fetching}>
          Propose
        </Button>
        <Button variant="default" onClick={() => window.history.back()}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
