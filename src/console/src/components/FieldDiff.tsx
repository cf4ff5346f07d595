/** A field-level diff as a table: each changed field by label and JSON pointer, before and after. */
import { Badge, Code, Table, Text } from '@mantine/core';
import { formatValue } from '../format.ts';
import { type JsonSchema, labelAt } from '../schema.ts';

export interface FieldChangeRow {
  path: string;
  op: string;
  before?: unknown;
  after?: unknown;
}

const OPS: Record<string, { label: string; color: string }> = {
  ADD: { label: 'added', color: 'green' },
  REMOVE: { label: 'removed', color: 'red' },
  REPLACE: { label: 'changed', color: 'blue' },
};

export function FieldDiff({
  changes,
  schema,
  caption,
}: {
  changes: readonly FieldChangeRow[];
  schema?: JsonSchema | null;
  caption: string;
}) {
  if (changes.length === 0) return <Text c="dimmed">No field changes.</Text>;
  return (
    <Table striped withTableBorder aria-label={caption} data-testid="field-diff">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Field</Table.Th>
          <Table.Th scope="col">Change</Table.Th>
          <Table.Th scope="col">Before</Table.Th>
          <Table.Th scope="col">After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {changes.map((c) => {
          const op = OPS[c.op.toUpperCase()] ?? { label: c.op, color: 'gray' };
          return (
            <Table.Tr key={c.path}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {labelAt(schema, c.path)}
                </Text>
                <Code>{c.path}</Code>
              </Table.Td>
              <Table.Td>
                <Badge color={op.color} variant="light">
                  {op.label}
                </Badge>
              </Table.Td>
              <Table.Td>{op.label === 'added' ? '—' : formatValue(c.before)}</Table.Td>
              <Table.Td>{op.label === 'removed' ? '—' : formatValue(c.after)}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
