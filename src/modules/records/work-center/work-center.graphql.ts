/** Work centers over GraphQL: the `WorkCenter` type with its location and effective cost, and lookups. */
import { builder } from '../../../graphql/builder.ts';
import { LocationRef } from '../location/location.graphql.ts';
import {
  domainConnection,
  num,
  RecordInterface,
  recordNodeOptions,
  str,
  type View,
} from '../record.graphql.ts';
import { keyRef, loadByKeys } from '../record-loaders.ts';
import { codeLookup } from '../record-lookups.ts';
import { costPerHourOn } from './work-center.rules.ts';

export const WorkCenterRef = builder.node(builder.objectRef<View>('WorkCenter'), {
  description: 'A work center (Odoo: mrp.workcenter).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'work-center',
  ...recordNodeOptions('work-center'),
  fields: (t) => ({
    code: t.string({ description: 'The key.', resolve: (v) => String(v.data.code) }),
    name: t.string({ description: 'Display name.', resolve: (v) => String(v.data.name) }),
    capacity: t.float({
      nullable: true,
      description: 'Units in parallel.',
      resolve: (v) => num(v.data.capacity),
    }),
    timeEfficiency: t.float({
      nullable: true,
      description: 'Time efficiency, %.',
      resolve: (v) => num(v.data.timeEfficiency),
    }),
    oeeTarget: t.float({
      nullable: true,
      description: 'OEE target, %.',
      resolve: (v) => num(v.data.oeeTarget),
    }),
    setupMinutes: t.float({
      nullable: true,
      description: 'Setup time.',
      resolve: (v) => num(v.data.setupMinutes),
    }),
    cleanupMinutes: t.float({
      nullable: true,
      description: 'Cleanup time.',
      resolve: (v) => num(v.data.cleanupMinutes),
    }),
    calendar: t.string({
      nullable: true,
      description: 'Working calendar.',
      resolve: (v) => str(v.data.calendar),
    }),
    active: t.boolean({ description: 'false: archived.', resolve: (v) => v.data.active !== false }),
    costPerHour: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Hourly costs by start date.',
      resolve: (v) => v.data.costPerHour ?? null,
    }),
    currentCostPerHour: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The hourly cost effective at the moment asked for (Odoo: costs_hour).',
      resolve: (v) => costPerHourOn(v.data, v.asOf ?? new Date()),
    }),
    location: t.loadable({
      type: LocationRef,
      nullable: true,
      description: 'Where it stands.',
      load: loadByKeys,
      resolve: (v) => keyRef('location', v.data.location, v.asOf, v.site ?? ''),
    }),
  }),
});

builder.queryFields((t) => ({
  workCenters: domainConnection('work-center', WorkCenterRef, 'Work centers, by code.')(t),
  workCenter: codeLookup('work-center', WorkCenterRef, 'A work center')(t),
}));
