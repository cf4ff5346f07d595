/**
 * Sign in: with the company's identity provider when Canon has one (the flow runs on the server,
 * /auth/sign-in, and comes back here with the token in the URL fragment), or with an API token
 * pasted from `canon token create` or an admin. Either is kept for this tab only.
 */
import { Alert, Button, Container, Divider, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useSession } from '../session.tsx';

/** What /auth/callback put in the fragment; the fragment is cleared at once (history, screenshots). */
function takeFragment(): { token?: string; error?: string } {
  const params = new URLSearchParams(window.location.hash.slice(1));
  if (!params.has('token') && !params.has('error')) return {};
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return { token: params.get('token') ?? undefined, error: params.get('error') ?? undefined };
}

export function SignInPage() {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [provider, setProvider] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const back = takeFragment();
    if (back.token) signIn(back.token);
    if (back.error) setError(back.error);
    fetch('/auth/options')
      .then((r) => r.json() as Promise<{ identityProvider: { name: string } | null }>)
      .then((o) => setProvider(o.identityProvider?.name ?? null))
      .catch(() => setProvider(null));
  }, [signIn]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) signIn(token.trim());
  };
  return (
    <Container size={460} py={80} component="main">
      <Title order={1} ta="center" mb="md">
        Canon steward console
      </Title>
      <Paper withBorder p="lg">
        <Stack>
          {error ? (
            <Alert color="red" title="Not signed in" role="alert">
              {error}
            </Alert>
          ) : null}
          {provider ? (
            <>
              <Button component="a" href="/auth/sign-in">
                Sign in with {provider}
              </Button>
              <Divider label="or with an API token" labelPosition="center" />
            </>
          ) : null}
          <Stack component="form" onSubmit={submit}>
            <PasswordInput
              label="API token"
              description="Paste the token an admin gave you. It is kept in this tab only and cleared when you sign out."
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              autoComplete="off"
              required={!provider}
              data-autofocus={provider ? undefined : true}
            />
            <Button type="submit" variant={provider ? 'default' : 'filled'}>
              Sign in with the token
            </Button>
          </Stack>
          <Text size="xs" c="dimmed">
            The console uses the same GraphQL API as every connector: it can do only what you may do.
          </Text>
        </Stack>
      </Paper>
    </Container>
  );
}
