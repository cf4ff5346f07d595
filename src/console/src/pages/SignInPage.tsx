/** Sign in with an API token (from `canon token create` or an admin); kept for this tab only. */
import { Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useSession } from '../session.tsx';

export function SignInPage() {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) signIn(token.trim());
  };
  return (
    <Container size={460} py={80} component="main">
      <Title order={1} ta="center" mb="md">
        Canon steward console
      </Title>
      <Paper withBorder p="lg" component="form" onSubmit={submit}>
        <Stack>
          <PasswordInput
            label="API token"
            description="Paste the token an admin gave you. It is kept in this tab only and cleared when you sign out."
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            autoComplete="off"
            required
            data-autofocus
          />
          <Button type="submit">Sign in</Button>
          <Text size="xs" c="dimmed">
            The console uses the same GraphQL API as every connector: it can do only what your token may do.
          </Text>
        </Stack>
      </Paper>
    </Container>
  );
}
