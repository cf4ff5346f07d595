/** Who the token belongs to and what it may do, for the header and for what the screens offer. */
import { createContext, useContext } from 'react';
import { graphql, type ResultOf } from './graphql.ts';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      role
      systemCode
      viewerCanManageTokens
      viewerCanPublishContracts
      abilities { action subject inverted conditions }
    }
  }
`);

export type Me = ResultOf<typeof MeQuery>['me'];

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside a signed-in screen');
  return me;
}

/** Whether a rule allows the action on the subject at all (conditions narrow it; the API decides). */
export function can(me: Me, action: string, subject: string): boolean {
  const matches = me.abilities.filter(
    (r) => (r.action === action || r.action === 'manage') && (r.subject === subject || r.subject === 'all'),
  );
  return matches.some((r) => !r.inverted) && !matches.some((r) => r.inverted && !r.conditions);
}
