/** Previous / next page of a keyset-paged list whose cursor is in the address (`after`). */
import { Button, Group, Text } from '@mantine/core';

export function Pager({
  summary,
  hasPrevious,
  nextCursor,
  onNext,
}: {
  summary?: string;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onNext(cursor: string): void;
}) {
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed">
        {summary ?? ''}
      </Text>
      <Group>
        {/* the cursor is in the address: the page before is the entry before in the history */}
        <Button variant="default" disabled={!hasPrevious} onClick={() => window.history.back()}>
          Previous page
        </Button>
        <Button variant="default" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
          Next page
        </Button>
      </Group>
    </Group>
  );
}
