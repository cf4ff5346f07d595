import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';
import { COMPATIBILITY_MODES } from './compatibility/compatibility.ts';

/** A master-data domain's contract: its name, compatibility mode and owner. Versions hold the schemas. */
export const ContractEntity = defineEntity({
  name: 'Contract',
  tableName: 'contract',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.string().length(100).unique(),
    compatibility: p.enum(COMPATIBILITY_MODES).default('BACKWARD'),
    description: p.text().nullable(),
    ownerTeam: p.string().length(200).nullable(),
    builtIn: p.boolean().default(false),
    ...timestamps(),
    lockVersion: p.integer().version(),
  },
});
export class Contract extends ContractEntity.class {}
ContractEntity.setClass(Contract);
