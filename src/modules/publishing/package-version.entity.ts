import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

/**
 * A generated npm package version, stored as the exact tarball the registry serves (so its integrity
 * never changes), built once when its contract version is published.
 */
export const PackageVersionEntity = defineEntity({
  name: 'PackageVersion',
  tableName: 'package_version',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.string().length(214),
    version: p.string().length(50),
    /** Contract and its version id; null for the `contracts` meta package. */
    contract: p.string().length(100).nullable(),
    contractVersionId: p.uuid().nullable().index(),
    /** Loaded only when served (lazy). */
    tarball: p.blob().lazy(),
    integrity: p.string().length(120),
    shasum: p.string().length(40),
    /** `json` keeps package.json's key order in packuments. */
    manifest: p.json<Record<string, unknown>>().columnType('json'),
    generator: p.string().length(20),
    size: p.integer(),
    ...timestamps(),
  },
  uniques: [{ properties: ['name', 'version'], name: 'package_version_name_version_unique' }],
});
export class PackageVersion extends PackageVersionEntity.class {}
PackageVersionEntity.setClass(PackageVersion);
