/**
 * The ceiling of the xref benchmark: node:http and a pg pool running the same SQL as resolveXrefs,
 * with no GraphQL, no authentication and no validation. `node bench/reference/bare-http.ts` with
 * DATABASE_URL and PORT; prints "listening <port>" when ready.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { RESOLVE, type ResolveArgs } from './resolve-sql.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const args = JSON.parse(Buffer.concat(chunks).toString()) as ResolveArgs;
      const { rows } = await pool.query({ ...RESOLVE, values: [args.externalIds, args.system, args.domain] });
      const body = JSON.stringify(
        rows.map((r) => ({ externalId: r.external_id, recordId: r.record_id, key: r.key })),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
