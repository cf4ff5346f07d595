/** The statement Canon's resolveXrefs runs, prepared by name as Canon prepares it, for the reference servers. */
export { RESOLVE } from '../../src/modules/xref/xref-statements.ts';

export interface ResolveArgs {
  system: string;
  domain: string;
  externalIds: string[];
}
