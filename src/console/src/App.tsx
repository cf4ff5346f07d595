/** The console's frame: sign-in, then a header (who you are) and navigation (what your role may do). */
import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from 'urql';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ErrorAlert } from './components/ErrorAlert.tsx';
import { Loading } from './components/Loading.tsx';
import { can, type Me, MeContext, MeQuery } from './me.tsx';
import AuditPage from './pages/AuditPage.tsx';
import ChangeRequestPage from './pages/ChangeRequestPage.tsx';
import ContractPage from './pages/ContractPage.tsx';
import ContractsPage from './pages/ContractsPage.tsx';
import DuplicatesPage from './pages/DuplicatesPage.tsx';
import ExceptionsPage from './pages/ExceptionsPage.tsx';
import { InboxPage } from './pages/InboxPage.tsx';
import ProposePage from './pages/ProposePage.tsx';
import RecordPage from './pages/RecordPage.tsx';
import RecordsPage from './pages/RecordsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import SystemsPage from './pages/SystemsPage.tsx';
import TokensPage from './pages/TokensPage.tsx';
import { useSession } from './session.tsx';

interface NavItem {
  href: string;
  label: string;
  allowed(me: Me): boolean;
}

const NAV: NavItem[] = [
  { href: '/inbox', label: 'Inbox', allowed: (me) => can(me, 'read', 'ChangeRequest') },
  { href: '/records/item', label: 'Records', allowed: (me) => can(me, 'read', 'GoldenRecord') },
  { href: '/duplicates/item', label: 'Duplicates', allowed: (me) => can(me, 'merge', 'GoldenRecord') },
  {
    href: '/exceptions',
    label: 'Exceptions',
    allowed: (me) => can(me, 'read', 'IntegrationException'),
  },
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
        <Routes home={items[0]?.href ?? '/tokens'} />
      </AppShell.Main>
    </AppShell>
  );
}

/** Every screen by address; `home` is the first screen the role may use (a pipeline has no inbox). */
function Routes({ home }: { home: string }) {
  return (
    <Switch>
      <Route path="/">
        <Redirect to={home} replace />
      </Route>
      <Route path="/sign-in">
        <Redirect to={home} replace />
      </Route>
      <Route path="/inbox" component={InboxPage} />
      <Route path="/change-requests/:id">{(p) => <ChangeRequestPage id={p.id} />}</Route>
      <Route path="/records/:domain/new">{(p) => <ProposePage domain={p.domain} />}</Route>
      <Route path="/records/:domain/:id/propose">
        {(p) => <ProposePage domain={p.domain} recordId={p.id} />}
      </Route>
      <Route path="/records/:domain/:id">{(p) => <RecordPage domain={p.domain} id={p.id} />}</Route>
      <Route path="/records/:domain">{(p) => <RecordsPage domain={p.domain} />}</Route>
      <Route path="/exceptions" component={ExceptionsPage} />
      <Route path="/duplicates/:domain">{(p) => <DuplicatesPage domain={p.domain} />}</Route>
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
