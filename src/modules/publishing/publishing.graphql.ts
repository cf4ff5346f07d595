import { builder } from '../../graphql/builder.ts';
import { ContractRef, ContractVersionRef } from '../contracts/contracts.graphql.ts';
import { PackageVersion } from './package-version.entity.ts';

const PackageRef = builder.objectType(PackageVersion, {
  name: 'TypePackage',
  description: 'The npm package generated for a contract version (TypeScript types, schema and validator).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The package name, e.g. @canon/item.' }),
    version: t.expose('version', {
      type: 'SemVer',
      description: 'The package version (= the contract version).',
    }),
    integrity: t.exposeString('integrity', {
      description: 'sha512 subresource integrity of the tarball (what npm checks).',
    }),
    shasum: t.exposeString('shasum', { description: 'SHA-1 of the tarball (npm shasum).' }),
    size: t.exposeInt('size', { description: 'Tarball size in bytes.' }),
    tarballPath: t.string({
      description: 'Path of the tarball on this server.',
      resolve: (p) => `/npm/${p.name}/-/${p.name.split('/')[1]}-${p.version}.tgz`,
    }),
    install: t.string({
      description: 'The install command.',
      resolve: (p) => `npm install ${p.name}@^${p.version}`,
    }),
    npmrc: t.string({
      description: 'The .npmrc lines a pipeline needs (fill in the host and a token).',
      resolve: (p) =>
        `${p.name.split('/')[0]}:registry=https://<canon-host>/npm/\n//<canon-host>/npm/:_authToken=<token>`,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was generated.' }),
  }),
});

builder.objectField(ContractVersionRef, 'package', (t) =>
  t.loadable({
    type: PackageRef,
    nullable: true,
    description: 'The generated npm package (published, deprecated and retired versions).',
    load: (ids: string[], ctx) => ctx.services.publishing.byContractVersionIds(ctx, ids),
    resolve: (v) => v.id,
  }),
);

builder.objectField(ContractRef, 'packages', (t) =>
  t.loadableList({
    type: PackageRef,
    description: 'Every generated npm package version of the contract, oldest first.',
    load: (names: string[], ctx) => ctx.services.publishing.versionsOfContracts(ctx, names),
    resolve: (c) => c.name,
  }),
);
