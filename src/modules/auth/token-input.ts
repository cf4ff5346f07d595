/** What a new API token may be asked for: a known role, a system for (and only for) connectors, sane names. */
import { CanonError } from '../../errors.ts';
import { ROLES, type Role } from './roles.ts';

export interface CreateTokenInput {
  role: Role;
  /** Name of the actor the token authenticates as; created when new. Defaults to `<role>-<prefix>`. */
  actorName?: string;
  /** System code, required for (and only for) connectors. */
  systemCode?: string;
  /** Label of the token itself. */
  name?: string;
  /** Days until the token expires; absent = never (discouraged outside automation). */
  expiresInDays?: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@ -]{0,199}$/;
const SYSTEM_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

export function validateTokenInput(input: CreateTokenInput): void {
  if (!ROLES.includes(input.role)) {
    throw new CanonError('BAD_USER_INPUT', `Unknown role "${input.role}"; use one of ${ROLES.join(', ')}.`, {
      path: ['role'],
    });
  }
  if (input.role === 'connector' && !input.systemCode) {
    throw new CanonError('BAD_USER_INPUT', 'A connector token must name the system it acts for.', {
      path: ['systemCode'],
    });
  }
  if (input.role !== 'connector' && input.systemCode) {
    throw new CanonError('BAD_USER_INPUT', 'Only connector tokens are bound to a system.', {
      path: ['systemCode'],
    });
  }
  if (input.systemCode && !SYSTEM_CODE_PATTERN.test(input.systemCode)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      'A system code is lowercase letters, digits and dashes (e.g. mes-plant1).',
      {
        path: ['systemCode'],
      },
    );
  }
  if (input.actorName !== undefined && !NAME_PATTERN.test(input.actorName)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      'An actor name is 1-200 letters, digits, spaces and ._@- characters.',
      { path: ['actorName'] },
    );
  }
  if (input.name !== undefined && (input.name.length === 0 || input.name.length > 200)) {
    throw new CanonError('BAD_USER_INPUT', 'A token name is 1-200 characters.', { path: ['name'] });
  }
  if (
    input.expiresInDays !== undefined &&
    (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 3650)
  ) {
    throw new CanonError('BAD_USER_INPUT', 'expiresInDays is a whole number from 1 to 3650.', {
      path: ['expiresInDays'],
    });
  }
}
