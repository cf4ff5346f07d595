/**
 * Where a record is used, on every golden record: the records whose newest revision references it
 * (lots of an item, items of a unit, locations under a location), with the referencing field.
 */
import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage } from '../../graphql/cursors.ts';
import { RecordInterface, type View, withAsOf } from './record.graphql.ts';

const USED_BY_CURSOR = 'used-by';

builder.interfaceField(RecordInterface, 'usedBy', (t) =>
  t.connection(
    {
      type: RecordInterface,
      description: 'Records that reference this one (where-used), as of the same moment; in record-id order.',
      resolve: async (v, args, ctx) => {
        const page = forwardPage<[string]>(args, USED_BY_CURSOR, { defaultSize: 50, maxSize: 500 });
        const asOf = (v as View).asOf;
        const rows = await ctx.services.records.usedBy(ctx, v.id, page, asOf);
        const connection = connectionOf(
          rows,
          page.limit,
          (r) => encodeCursor(USED_BY_CURSOR, [r.record.id]),
          {
            hasPreviousPage: Boolean(page.after),
          },
        );
        return {
          ...connection,
          edges: connection.edges.map((e) => ({
            cursor: e.cursor,
            field: e.node.field,
            node: withAsOf([e.node.record], asOf)[0] as View,
          })),
        };
      },
    },
    { name: 'UsageConnection', description: 'A page of records that reference a record.' },
    {
      name: 'UsageEdge',
      description: 'A record that references this one, with the referencing field and a cursor.',
      fields: (e) => ({
        field: e.string({
          description: 'JSON pointer of the referencing field, e.g. /item or /parent.',
          resolve: (edge: any) => edge.field,
        }),
      }),
    },
  ),
);
