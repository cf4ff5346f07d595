/**
 * Merging two duplicates: which record survives (it keeps its id and key), and for every field the
 * two records hold differently, whose value the survivor takes. What the steward sees is what is
 * proposed: every differing field is sent as an explicit choice.
 */
import { Button, Code, Modal, Radio, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { useState } from 'react';

export interface MergeSide {
  id: string;
  key: string;
  data: unknown;
}

export interface MergeProposal {
  survivor: string;
  merged: string;
  fieldChoices: { path: string; source: 'SURVIVOR' | 'MERGED' }[];
  reason: string;
}

const show = (v: unknown) =>
  v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
const empty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const pointerOf = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

export function MergeDialog({
  opened,
  left,
  right,
  busy,
  onClose,
  onPropose,
}: {
  opened: boolean;
  left: MergeSide;
  right: MergeSide;
  busy: boolean;
  onClose(): void;
  onPropose(p: MergeProposal): void;
}) {
  const [survivorId, setSurvivorId] = useState(left.id);
  const [taken, setTaken] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const survivor = survivorId === left.id ? left : right;
  const merged = survivorId === left.id ? right : left;
  const a = (left.data ?? {}) as Record<string, unknown>;
  const b = (right.data ?? {}) as Record<string, unknown>;
  const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
    .sort();
  const survivorData = (survivor.data ?? {}) as Record<string, unknown>;
  // by default the survivor's value, or the other's where the survivor has none
  const whose = (field: string) => taken[field] ?? (empty(survivorData[field]) ? merged.id : survivor.id);
  const propose = () =>
    onPropose({
      survivor: survivor.id,
      merged: merged.id,
      fieldChoices: differing.map((f) => ({
        path: `/${pointerOf(f)}`,
        source: whose(f) === survivor.id ? ('SURVIVOR' as const) : ('MERGED' as const),
      })),
      reason,
    });
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Merge ${left.key} and ${right.key}`}
      size="xl"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <div>
          <Text size="sm" fw={500} id="survivor-label">
            Which record survives (keeps its id and key)
          </Text>
          <SegmentedControl
            aria-labelledby="survivor-label"
            value={survivorId}
            onChange={(v) => {
              setSurvivorId(v);
              setTaken({});
            }}
            data={[
              { value: left.id, label: left.key },
              { value: right.id, label: right.key },
            ]}
          />
        </div>
        {differing.length === 0 ? (
          <Text size="sm">Both records hold the same values.</Text>
        ) : (
          <Table data-testid="merge-fields">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>{left.key}</Table.Th>
                <Table.Th>{right.key}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {differing.map((f) => (
                <Table.Tr key={f}>
                  <Table.Td>
                    <Code>{f}</Code>
                  </Table.Td>
                  {[left, right].map((side) => (
                    <Table.Td key={side.id}>
                      <Radio
                        name={`take-${f}`}
                        label={show(((side.data ?? {}) as Record<string, unknown>)[f])}
                        aria-label={`${f} from ${side.key}`}
                        checked={whose(f) === side.id}
                        onChange={() => setTaken({ ...taken, [f]: side.id })}
                      />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Textarea label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Text size="xs" c="dimmed">
          The merge is a proposal: another steward approves it. The business key stays the survivor's.
        </Text>
        <Button onClick={propose} loading={busy}>
          Propose the merge
        </Button>
      </Stack>
    </Modal>
  );
}
