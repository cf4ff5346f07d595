/** What Canon knows about each change kind (change-kinds.ts), and the helper the kind tables use. */
export type ChangeFamily =
  | 'annotation'
  | 'schema'
  | 'type'
  | 'string'
  | 'number'
  | 'object'
  | 'property'
  | 'array'
  | 'item'
  | 'enum'
  | 'combined'
  | 'conditional'
  | 'reference';

export interface ChangeKindInfo {
  family: ChangeFamily;
  /** Compatible when found diffing OLD → NEW (i.e. data valid under OLD stays valid under NEW). */
  backward: boolean;
  /** Annotation-only: changes nothing about which documents are valid (semver PATCH). */
  annotation?: boolean;
  /** Canon's own kind (Confluent has no name for it). */
  canon?: boolean;
  /** A sentence about the change; `{at}` is replaced by the JSON pointer. */
  sentence: string;
}

export const k = (
  family: ChangeFamily,
  backward: boolean,
  sentence: string,
  extra: Partial<ChangeKindInfo> = {},
): ChangeKindInfo => ({ family, backward, sentence, ...extra });
