/**
 * The signed-in steward: the API token lives in sessionStorage (gone when the tab closes, never in
 * localStorage or a URL), and `me` says who it is and what it may do.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { Client, cacheExchange, fetchExchange, Provider } from 'urql';

const STORAGE_KEY = 'canon.console.token';

interface Session {
  token: string | null;
  signIn(token: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session>({ token: null, signIn() {}, signOut() {} });

export const useSession = () => useContext(SessionContext);

function createApiClient(token: string | null) {
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    // subscriptions over server-sent events on the same fetch, with the same Authorization header
    fetchSubscriptions: true,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => ({
      headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
    }),
  });
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const signIn = useCallback((value: string) => {
    sessionStorage.setItem(STORAGE_KEY, value);
    setToken(value);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setToken(null);
  }, []);
  // a new client per token: nothing cached for one steward is shown to the next
  const client = useMemo(() => createApiClient(token), [token]);
  const session = useMemo(() => ({ token, signIn, signOut }), [token, signIn, signOut]);
  return (
    <SessionContext.Provider value={session}>
      <Provider value={client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
