/**
 * A connector acts for a system of the landscape: a token is issued only for a registered, active
 * one, so a typo'd or retired system code gets no token (GraphQL and CLI alike).
 */
import type { Em } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { SystemsService } from '../systems/systems.service.ts';

export async function requireActiveSystem(systems: SystemsService, em: Em, code: string): Promise<void> {
  const active = await systems.activeIn(em, code);
  if (active === null)
    throw new CanonError('NOT_FOUND', `No system ${JSON.stringify(code)} is registered.`, {
      path: ['systemCode'],
    });
  if (!active)
    throw new CanonError(
      'INVALID_STATE',
      `The system ${code} is deactivated: it gets no new connector tokens.`,
      {
        path: ['systemCode'],
      },
    );
}
