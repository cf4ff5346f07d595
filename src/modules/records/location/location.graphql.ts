/** Stock locations over GraphQL: the `Location` type with parent, children and path, and lookups. */

import { builder } from '../../../graphql/builder.ts';
import { decodeMoment, encodeMoment, momentOf } from '../as-of.ts';
import {
  domainConnection,
  RecordInterface,
  recordNodeOptions,
  str,
  type View,
  withAsOf,
} from '../record.graphql.ts';
import { LocationUsageEnum } from '../record-enums.ts';
import { groupBy, keyRef, loadByKeys } from '../record-loaders.ts';
import { lookupOptions, oneByIdOrKey } from '../record-lookups.ts';

const LocationObject = builder.objectRef<View>('Location');

export const LocationRef = builder.node(LocationObject, {
  description: 'A stock location (Odoo: stock.location).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'location',
  ...recordNodeOptions('location'),
  fields: (t) => ({
    code: t.string({
      description: 'The key, unique per site (Odoo: barcode).',
      resolve: (v) => String(v.data.code),
    }),
    name: t.string({ description: 'Display name.', resolve: (v) => String(v.data.name) }),
    usage: t.field({
      type: LocationUsageEnum,
      description: 'What it is for.',
      resolve: (v) => String(v.data.usage),
    }),
    warehouse: t.string({
      nullable: true,
      description: 'Its warehouse.',
      resolve: (v) => str(v.data.warehouse),
    }),
    scrap: t.boolean({ description: 'A scrap location.', resolve: (v) => v.data.scrap === true }),
    return: t.boolean({ description: 'A return location.', resolve: (v) => v.data.return === true }),
    active: t.boolean({ description: 'false: archived.', resolve: (v) => v.data.active !== false }),
    parent: t.loadable({
      type: LocationObject,
      nullable: true,
      description: 'The location it is in.',
      load: loadByKeys,
      resolve: (v) => keyRef('location', v.data.parent, v.asOf, v.site ?? ''),
    }),
    children: t.loadableList({
      type: LocationObject,
      description: 'Live locations whose parent this is.',
      load: async (keys: string[], ctx) => {
        // keys: JSON [site, code, moment] — one query per moment asked for
        const out = new Map<string, View[]>();
        for (const [moment, group] of groupBy(keys, (k) => JSON.parse(k)[2])) {
          const date = decodeMoment(moment);
          const parents = group.map((k) => {
            const [scope, key] = JSON.parse(k) as [string, string];
            return { scope, key };
          });
          const found = await ctx.services.records.childrenOf(ctx, 'location', parents, date);
          group.forEach((k, i) => {
            out.set(k, withAsOf(found[i], date) as View[]);
          });
        }
        return keys.map((k) => out.get(k) ?? []);
      },
      resolve: (v) => JSON.stringify([v.site ?? '', String(v.data.code), encodeMoment(v.asOf)]),
    }),
    path: t.loadable({
      type: 'String',
      description: 'The full name from the top, e.g. "EU1 / Stock / Shelf 2" (Odoo: complete_name).',
      load: (ids: string[], ctx) =>
        ctx.services.records.locationPaths(
          ctx,
          ids.map((k) => JSON.parse(k)),
        ),
      resolve: (v) => JSON.stringify({ id: v.id, asOf: encodeMoment(v.asOf) || undefined }),
    }),
  }),
});

builder.queryFields((t) => ({
  locations: domainConnection('location', LocationRef, 'Stock locations, by code.')(t),
  location: t.field({
    type: LocationRef,
    ...lookupOptions,
    description: 'A location by id, or by code and site; null when there is none.',
    args: {
      id: t.arg.id({ description: 'The record id.' }),
      code: t.arg.string({ description: 'The location code.' }),
      site: t.arg.string({ description: 'Its site (absent: a global location).' }),
      asOf: t.arg({ type: 'DateTime', description: 'Its value as of this moment (default now).' }),
      knownAt: t.arg({
        type: 'DateTime',
        description:
          'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
      }),
    },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(
        ctx,
        'location',
        a.id ? String(a.id) : null,
        a.code,
        a.code ? (a.site ?? '') : undefined,
        momentOf(a.asOf, a.knownAt),
      ),
  }),
}));
