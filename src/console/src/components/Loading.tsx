import { Center, Loader } from '@mantine/core';

export const Loading = ({ label = 'Loading' }: { label?: string }) => (
  <Center p="xl">
    <Loader aria-label={label} />
  </Center>
);
