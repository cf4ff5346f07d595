/** The closed list of roles (DESIGN §3); a connector is always bound to one system. */
export const ROLES = ['admin', 'steward', 'viewer', 'connector', 'pipeline'] as const;
export type Role = (typeof ROLES)[number];

export const ACTOR_KINDS = ['USER', 'SERVICE'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Connectors and pipelines are service accounts; the other roles are people. */
export const kindOfRole = (role: Role): ActorKind =>
  role === 'connector' || role === 'pipeline' ? 'SERVICE' : 'USER';
