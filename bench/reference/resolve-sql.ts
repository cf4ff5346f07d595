/** The statement Canon's resolveXrefs runs (src/modules/xref/xref.service.ts), for the reference servers. */
export const RESOLVE_SQL = `select u.id as external_id, x.record_id, g.key
  from unnest($1::text[]) with ordinality as u(id, ord)
  left join xref x on x.system_code = $2 and x.domain = $3 and x.external_id = u.id and x.state = 'ACTIVE'
  left join golden_record g on g.id = x.record_id
 order by u.ord`;

export interface ResolveArgs {
  system: string;
  domain: string;
  externalIds: string[];
}
