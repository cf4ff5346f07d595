/** Who is calling: resolved once per request from the bearer token and passed to every service. */
import type { Role } from './roles.ts';

export interface Actor {
  id: string;
  name: string;
  role: Role;
  systemCode: string | null;
  tokenId: string | null;
}

export interface RequestMeta {
  requestId: string;
}

/** The internal actor used by start-up tasks (built-in contracts, bootstrap) and the offline CLI. */
export const SYSTEM_ACTOR: Actor = {
  id: '00000000-0000-7000-8000-000000000000',
  name: 'canon-system',
  role: 'admin',
  systemCode: null,
  tokenId: null,
};

import type { AppAbility } from './ability.ts';

/** What a service needs to know about the call: who, with which ability, under which request id. */
export interface CallContext {
  actor: Actor | null;
  ability: AppAbility;
  requestId: string;
  /** A connector's system-of-record rules (with their approval counts). */
  ownership?: {
    id: string;
    domain: string;
    site: string | null;
    fields: string[] | null;
    requiredApprovals: number;
  }[];
}
