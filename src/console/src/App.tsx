/** The console's frame: sign-in, then a header (who you are) and navigation (what your role may do). */
import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense } from 'react';
import { useQuery } from 'urql';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ErrorAlert } from './components/ErrorAlert.tsx';
import { Loading } from './components/Loading.tsx';
import { can, type Me, MeContext, MeQuery } from './me.tsx';
import { InboxPage } from './pages/InboxPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { useSession } from './session.tsx';

// screens past the inbox load on first visit: the first load stays small
const ChangeRequestPage = lazy(() => import('./pages/ChangeRequestPage.tsx'));
const RecordsPage = lazy(() => import('./pages/RecordsPage.tsx'));
const RecordPage = lazy(() => import('./pages/RecordPage.tsx'));
const ProposePage = lazy(() => import('./pages/ProposePage.tsx'));
const ContractsPage = lazy(() => import('./pages/ContractsPage.tsx'));
const ContractPage = lazy(() => import('./pages/ContractPage.tsx'));
const SystemsPage = lazy(() => import('./pages/SystemsPage.tsx'));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx'));
const TokensPage = lazy(() => import('./pages/TokensPage.tsx'));

interface NavItem {
  href: string;
  label: string;
  allowed(me: Me): boolean;
}

const NAV: NavItem[] = [
  { href: '/inbox', label: 'Inbox', allowed: (me) => can(me, 'read', 'ChangeRequest') },
  { href: '/records/item', label: 'Records', allowed: (me) => can(me, 'read', 'GoldenRecord') },
  { href: '/contracts', label: 'Contracts', allowed: (me) => can(me, 'read', 'Contract') },
  { href: '/systems', label: 'Systems and ownership', allowed: (me) => can(me, 'read', 'System') },
  { href: '/audit', label: 'Audit', allowed: (me) => can(me, 'read', 'AuditEvent') },
  { href: '/tokens', label: 'Tokens', allowed: () => true },
];

export function App() {
  const { token } = useSession();
  if (!token) {
    return (
      <Switch>
        <Route path="/sign-in" component={SignInPage} />
        <Route>
          <Redirect to="/sign-in" replace />
        </Route>
      </Switch>
    );
  }
  return <SignedIn />;
}

function SignedIn() {
  const { signOut } = useSession();
  const [{ data, error, fetching }] = useQuery({ query: MeQuery, requestPolicy: 'network-only' });
  if (fetching && !data) return <Loading label="Signing in" />;
  if (error || !data) {
    return (
      <main style={{ padding: 24 }}>
        <ErrorAlert error={error!} title="Could not sign in with this token">
          <Button mt="sm" onClick={signOut}>
            Sign in again
          </Button>
        </ErrorAlert>
      </main>
    );
  }
  return (
    <MeContext.Provider value={data.me}>
      <Shell me={data.me} />
    </MeContext.Provider>
  );
}

function Shell({ me }: { me: Me }) {
  const { signOut } = useSession();
  const [opened, { toggle }] = useDisclosure();
  const [location] = useLocation();
  const items = NAV.filter((item) => item.allowed(me));
  return (
    <AppShell
      padding="md"
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Title order={1} size="h4">
              Canon
            </Title>
          </Group>
          <Group gap="sm">
            <Text size="sm" data-testid="me-name">
              {me.name}
            </Text>
            <Badge variant="light" data-testid="me-role">
              {me.role}
            </Badge>
            {me.systemCode ? <Badge variant="outline">{me.systemCode}</Badge> : null}
            <Button variant="default" size="xs" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        {items.map((item) => (
          <NavLink
            key={item.href}
            component={Link}
            href={item.href}
            label={item.label}
            active={
              location === item.href || location.startsWith(`${item.href.split('/').slice(0, 2).join('/')}/`)
            }
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Routes />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

function Routes() {
  return (
    <Switch>
      <Route path="/">
        <Redirect to="/inbox" replace />
      </Route>
      <Route path="/sign-in">
        <Redirect to="/inbox" replace />
      </Route>
      <Route path="/inbox" component={InboxPage} />
      <Route path="/change-requests/:id">{(p) => <ChangeRequestPage id={p.id} />}</Route>
      <Route path="/records/:domain/new">{(p) => <ProposePage domain={p.domain} />}</Route>
      <Route path="/records/:domain/:id/propose">
        {(p) => <ProposePage domain={p.domain} recordId={p.id} />}
      </Route>
      <Route path="/records/:domain/:id">{(p) => <RecordPage domain={p.domain} id={p.id} />}</Route>
      <Route path="/records/:domain">{(p) => <RecordsPage domain={p.domain} />}</Route>
      <Route path="/contracts" component={ContractsPage} />
      <Route path="/contracts/:name">{(p) => <ContractPage name={p.name} />}</Route>
      <Route path="/systems" component={SystemsPage} />
      <Route path="/audit" component={AuditPage} />
      <Route path="/tokens" component={TokensPage} />
      <Route>
        <section>
          <Title order={2}>Not found</Title>
          <Text>No screen at this address.</Text>
        </section>
      </Route>
    </Switch>
  );
}
