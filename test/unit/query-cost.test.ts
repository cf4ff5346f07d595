import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_BUDGET, FIELD_COSTS, operationCost, SEARCH_COST } from '../../src/graphql/cost.ts';
import { schema } from '../../src/graphql/schema.ts';

const costOf = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return operationCost(schema, document, operation, variables);
};

const RECORDS = (first: number | string, inner = 'id key') =>
  `query($n: Int) { records(domain: "item", first: ${first}) { edges { node { ${inner} } } } }`;

describe('query cost', () => {
  it('counts objects, not leaves', () => {
    expect(costOf('{ me { id name role } }').cost).toBe(1);
    expect(costOf('{ version }').cost).toBe(0);
  });

  it('multiplies what is under a page by its size, from a literal or a variable', () => {
    // records 1, then per row: the edge 1 and the node 1
    expect(costOf(RECORDS(50))).toEqual({ cost: 101, variableSized: false });
    expect(costOf(RECORDS('$n'), { n: 500 })).toEqual({ cost: 1001, variableSized: true });
    // without first, the list's default page is assumed
    expect(costOf(`{ records(domain: "item") { edges { node { id } } } }`).cost).toBe(201);
  });

  it('multiplies nested pages, so a page of pages goes over the budget', () => {
    const nested = RECORDS(1000, 'id history(first: 1000) { edges { node { revision } } }');
    const { cost } = costOf(nested);
    expect(cost).toBeGreaterThan(DEFAULT_QUERY_BUDGET);
    expect(cost).toBe(1 + 1000 * (2 + 1 + 1000 * 2));
  });

  it('sizes a list answer by the list it was given', () => {
    const q = `query($ids: [String!]!) { resolveXrefs(system: "ODOO", domain: "item", externalIds: $ids) {
      ... on ResolveXrefsPayload { resolutions { externalId recordId key } } } }`;
    const few = costOf(q, { ids: ['a', 'b'] });
    const many = costOf(q, { ids: Array.from({ length: 5000 }, (_, i) => `id-${i}`) });
    expect(few.variableSized).toBe(true);
    expect(many.cost).toBe(1 + 5000); // the payload once, a resolution per id
    expect(few.cost).toBe(1 + 2);
  });

  it('charges the expensive fields and searches', () => {
    expect(costOf('{ verifyAuditChain { valid } }').cost).toBe(1 + FIELD_COSTS['Query.verifyAuditChain']);
    const plain = costOf(`{ records(domain: "item", first: 10) { totalCount } }`).cost;
    const search = costOf(
      `{ records(domain: "item", first: 10, filter: { search: "bolt" }) { totalCount } }`,
    ).cost;
    expect(search - plain).toBe(SEARCH_COST);
  });

  it('counts a fragment wherever it is spread', () => {
    const q = `{ a: records(domain: "item", first: 10) { ...R } b: records(domain: "uom", first: 20) { ...R } }
      fragment R on RecordConnection { edges { node { id } } }`;
    expect(costOf(q).cost).toBe(1 + 10 * 2 + 1 + 20 * 2);
  });
});
