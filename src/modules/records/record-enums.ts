/**
 * GraphQL enums of the golden-record API. The closed sets of the built-in domains' fields (item type
 * and tracking, location usage, UoM dimension, lot quality status) are read from the built-in
 * contracts, so the API and the contract cannot disagree; record, revision and proposal states come
 * from the entities.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enumOf } from '../../graphql/naming.ts';
import { BUILT_IN_CONTRACTS_DIR } from '../contracts/contracts-folder.ts';
import { CHANGE_OPERATIONS, CHANGE_STATUSES } from './change-request.entity.ts';
import { RECORD_STATUSES } from './golden-record.entity.ts';
import { ROUNDING_METHODS } from './uom/rational.ts';

type Schema = {
  properties?: Record<string, Schema>;
  $defs?: Record<string, Schema>;
  $ref?: string;
  enum?: string[];
};

/** The `enum` of a property of a built-in contract (following a local `$ref`). */
function contractEnum(contract: string, property: string): string[] {
  const schema = JSON.parse(
    readFileSync(join(BUILT_IN_CONTRACTS_DIR, contract, '1.0.0.schema.json'), 'utf8'),
  ) as Schema;
  let node = schema.properties?.[property];
  if (node?.$ref?.startsWith('#/$defs/')) node = schema.$defs?.[node.$ref.slice('#/$defs/'.length)];
  if (!node?.enum) throw new Error(`the ${contract} contract has no enum at ${property}`);
  return node.enum;
}

export const RoundingMethodEnum = enumOf(
  'RoundingMethod',
  'How a converted quantity is rounded to the target unit.',
  ROUNDING_METHODS,
  {
    HALF_UP: 'Half away from zero.',
    UP: 'Away from zero (Odoo 17/18 default).',
    DOWN: 'Toward zero.',
  },
);
export const ChangeStatusEnum = enumOf('ChangeStatus', 'Where a proposal stands.', CHANGE_STATUSES, {
  PENDING: 'Waiting for steward approvals.',
  APPLIED: 'Applied: a new revision exists.',
  REJECTED: 'Rejected by a steward.',
  CONFLICT: 'The record moved on before it could be applied.',
  WITHDRAWN: 'Withdrawn by its proposer.',
});
export const ChangeOperationEnum = enumOf(
  'ChangeOperation',
  'What a change does to a record.',
  CHANGE_OPERATIONS,
  {
    CREATE: 'A new record.',
    UPDATE: 'A new value.',
    RETIRE: 'The record leaves live use.',
    RESTORE: 'A retired record comes back.',
    MERGE: 'Two duplicates become one: the survivor takes the merged payload, the other record is MERGED.',
    UNMERGE: 'A merge undone: the merged record is live again with what the merge moved.',
  },
);
export const RecordStatusEnum = enumOf(
  'RecordStatus',
  'The life state of a golden record.',
  RECORD_STATUSES,
  {
    ACTIVE: 'Live.',
    RETIRED: 'Out of live use; kept with its history.',
    MERGED: 'Merged into another record.',
  },
);
export const RecordStatusFilterEnum = enumOf(
  'RecordStatusFilter',
  'Which records a list shows.',
  [...RECORD_STATUSES, 'ALL'] as const,
  { ALL: 'Every record, whatever its state.' },
);
export const ChangeModeEnum = enumOf(
  'ChangeMode',
  'How a proposal gave its data.',
  ['FULL', 'PATCH'] as const,
  {
    FULL: 'The full payload.',
    PATCH: 'An RFC 7396 JSON merge patch.',
  },
);
export const FieldChangeOpEnum = enumOf(
  'FieldChangeOp',
  'How a field changed.',
  ['add', 'remove', 'replace'] as const,
  {
    add: 'The field is new.',
    remove: 'The field is gone.',
    replace: 'The field has a new value.',
  },
);

export const ItemTypeEnum = enumOf(
  'ItemType',
  'What kind of item (Odoo: detailed_type / type).',
  contractEnum('item', 'type'),
);
export const TrackingEnum = enumOf(
  'Tracking',
  'How stock of an item is tracked.',
  contractEnum('item', 'tracking'),
);
export const LocationUsageEnum = enumOf(
  'LocationUsage',
  'What a location is for (Odoo: usage).',
  contractEnum('location', 'usage'),
);
export const UomDimensionEnum = enumOf(
  'UomDimension',
  'What a unit measures; quantities convert only within one dimension.',
  contractEnum('uom', 'dimension'),
);
export const QualityStatusEnum = enumOf(
  'QualityStatus',
  'Whether a lot may be used.',
  contractEnum('lot', 'qualityStatus'),
);
