/**
 * A record's payload rendered from its contract: each property under its title (or readable name),
 * its description as help, enums and booleans as words, quantities with their unit.
 */
import { Table, Text } from '@mantine/core';
import { formatValue } from '../format.ts';
import { deref, humanize, type JsonSchema } from '../schema.ts';

export function RecordData({ data, schema }: { data: Record<string, unknown>; schema: JsonSchema | null }) {
  const root = schema ? deref(schema, schema) : undefined;
  const declared = Object.keys(root?.properties ?? {});
  const keys = [
    ...declared.filter((k) => k in data),
    ...Object.keys(data).filter((k) => !declared.includes(k)),
  ];
  return (
    <Table withTableBorder aria-label="Current data" data-testid="record-data">
      <Table.Tbody>
        {keys.map((k) => {
          const raw = root?.properties?.[k];
          const prop = schema ? deref(schema, raw) : undefined;
          // a referenced definition's title names its type (ItemCode), not this field
          const label = raw?.title ?? humanize(k);
          return (
            <Table.Tr key={k}>
              <Table.Th scope="row" w="30%">
                <Text size="sm" fw={600}>
                  {label}
                </Text>
                {prop?.description ? (
                  <Text size="xs" c="dimmed">
                    {prop.description}
                  </Text>
                ) : null}
              </Table.Th>
              <Table.Td data-field={k}>{formatValue(data[k])}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
