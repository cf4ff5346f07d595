/**
 * A field that holds another record's business key (an item's unit, a location's parent): typed
 * freely, with suggestions of live records of the referenced domain that match what is typed.
 */
import { Autocomplete } from '@mantine/core';
import { useQuery } from 'urql';
import { graphql } from '../graphql.ts';

const Suggestions = graphql(`
  query ReferenceSuggestions($domain: String!, $search: String) {
    records(domain: $domain, first: 20, filter: { search: $search }) { edges { node { id key data } } }
  }
`);

/** The domain a `$ref` to another contract's business key points at, e.g. `urn:canon:contract:uom:1.0.0#/$defs/code`. */
export function referencedDomain(ref: unknown): string | null {
  return typeof ref === 'string'
    ? (/^urn:canon:contract:([a-z0-9-]+):[^#]+#\/\$defs\/code$/.exec(ref)?.[1] ?? null)
    : null;
}

export function ReferenceInput({
  domain,
  value,
  onChange,
  ...field
}: {
  domain: string;
  value: string;
  onChange(value: string | undefined): void;
  label: string;
  description?: string;
  error?: string;
  required: boolean;
  'data-pointer': string;
}) {
  const [{ data }] = useQuery({ query: Suggestions, variables: { domain, search: value || undefined } });
  const options = (data?.records.edges ?? []).map(({ node }) => {
    const name = (node.data as { name?: unknown }).name;
    return { value: node.key, label: typeof name === 'string' ? `${node.key} — ${name}` : node.key };
  });
  return (
    <Autocomplete
      {...field}
      value={value}
      // the stored value is the key, whatever the suggestion's label says
      data={options.map((o) => o.value)}
      renderOption={({ option }) => options.find((o) => o.value === option.value)?.label ?? option.value}
      onChange={(v) => onChange(v === '' ? undefined : v)}
    />
  );
}
