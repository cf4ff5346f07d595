import { defineEntity, p } from '@mikro-orm/core';
import { timestamps } from '../../db/timestamps.ts';

import { SYSTEM_KINDS } from './system-kinds.ts';

export { SYSTEM_KINDS, type SystemKind } from './system-kinds.ts';

/** A system of the landscape (Odoo, a PLM, an MES per plant, a WMS), known by its code. */
export const SystemEntity = defineEntity({
  name: 'System',
  tableName: 'system',
  properties: {
    code: p.string().length(100).primary(),
    name: p.string().length(200),
    kind: p.enum(SYSTEM_KINDS),
    sites: p.json<string[]>(),
    active: p.boolean().default(true),
    /** The team that answers for this system's integration failures (exceptions) when no rule names one. */
    team: p.string().length(200).nullable(),
    ...timestamps(),
    lockVersion: p.integer().version(),
  },
});
export class System extends SystemEntity.class {}
SystemEntity.setClass(System);
