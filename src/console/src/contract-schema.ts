/** The JSON Schema of the contract version a record or proposal was validated with. */
import { useQuery } from 'urql';
import { graphql } from './graphql.ts';
import type { JsonSchema } from './schema.ts';

const ContractSchemaQuery = graphql(`
  query ContractSchema($name: String!, $version: SemVer!) {
    contract(name: $name) { name version(version: $version) { version schema } }
  }
`);

/** `item@1.0.0` → name and version. */
export function parseContractVersion(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : { name: ref, version: '' };
}

export function useContractSchema(ref: string | null | undefined): JsonSchema | null {
  const { name, version } = parseContractVersion(ref ?? '');
  const [{ data }] = useQuery({
    query: ContractSchemaQuery,
    variables: { name, version },
    pause: !ref || !version,
  });
  return (data?.contract?.version?.schema as JsonSchema | undefined) ?? null;
}
