/** Assembles the GraphQL schema: imports every module's types (order matters only for the builder). */
import { builder } from './builder.ts';
import './scalars.ts';
import './errors.ts';
import './health.graphql.ts';
import '../modules/auth/auth.graphql.ts';
import '../modules/audit/audit.graphql.ts';
import '../modules/contracts/contracts.graphql.ts';
import '../modules/contracts/contract-mutations.graphql.ts';
import '../modules/publishing/publishing.graphql.ts';
import '../modules/records/record.graphql.ts';
import '../modules/records/change-request.graphql.ts';
import '../modules/records/inbox.graphql.ts';
import '../modules/records/bulk-change-request.graphql.ts';
import '../modules/records/rule-severities.graphql.ts';
import '../modules/records/where-used.graphql.ts';
import '../modules/records/keys/key-sequence.graphql.ts';
import '../modules/records/uom/uom.graphql.ts';
import '../modules/records/item/item.graphql.ts';
import '../modules/records/location/location.graphql.ts';
import '../modules/records/lot/lot.graphql.ts';
import '../modules/records/work-center/work-center.graphql.ts';
import '../modules/systems/systems.graphql.ts';
import '../modules/xref/xref.graphql.ts';
import '../modules/events/events.graphql.ts';
import '../modules/onboarding/onboarding.graphql.ts';
import '../modules/onboarding/reconcile.graphql.ts';

export const schema = builder.toSchema({ sortSchema: true });
