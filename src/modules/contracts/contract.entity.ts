import { defineEntity, p } from '@mikro-orm/core';
import { DRAFTS } from '../../../codegen/drafts.ts';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';
import { COMPATIBILITY_MODES } from './compatibility/compatibility.ts';

export const MAJOR_POLICIES = ['STAY', 'FOLLOW_LATEST'] as const;
export type MajorPolicy = (typeof MAJOR_POLICIES)[number];

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
    /**
     * Which major line new proposals are validated against when they name none: STAY on
     * `proposalMajor` (or, while it is unset, the oldest major with a published version) until a
     * steward moves it, or FOLLOW_LATEST, the newest published major.
     */
    majorPolicy: p.enum(MAJOR_POLICIES).default('STAY'),
    proposalMajor: p.integer().nullable(),
    /** The JSON Schema draft of a submitted document that has no `$schema`. */
    defaultDraft: p.enum(DRAFTS).default('2020-12'),
    ...timestamps(),
    lockVersion: p.integer().version(),
  },
});
export class Contract extends ContractEntity.class {}
ContractEntity.setClass(Contract);
