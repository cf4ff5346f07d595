/** Every contract with its newest version, compatibility mode and owner. */
import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { graphql } from '../graphql.ts';

const ContractsQuery = graphql(`
  query Contracts {
    contracts(first: 200) {
      edges {
        node { id name description compatibility builtIn ownerTeam latestVersion { version status publishedAt } }
      }
    }
  }
`);

export default function ContractsPage() {
  const [{ data, error, fetching }] = useQuery({ query: ContractsQuery });
  if (fetching && !data) return <Loading label="Loading contracts" />;
  return (
    <Stack component="section" aria-labelledby="contracts-title">
      <Title order={2} id="contracts-title">
        Contracts
      </Title>
      {error ? <ErrorAlert error={error} /> : null}
      <Table striped withTableBorder aria-label="Contracts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Contract</Table.Th>
            <Table.Th scope="col">Latest version</Table.Th>
            <Table.Th scope="col">Compatibility</Table.Th>
            <Table.Th scope="col">Owner</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.contracts.edges.map(({ node: c }) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Link href={`/contracts/${c.name}`}>{c.name}</Link>{' '}
                {c.builtIn ? <Badge size="xs">built-in</Badge> : null}
                {c.description ? (
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {c.description}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                {c.latestVersion ? `${c.latestVersion.version} (${c.latestVersion.status})` : '—'}
              </Table.Td>
              <Table.Td>{c.compatibility}</Table.Td>
              <Table.Td>{c.ownerTeam ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
