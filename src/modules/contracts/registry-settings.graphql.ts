/** The registry-wide settings in GraphQL: the compatibility mode new contracts get. */
import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { CompatibilityModeEnum } from './contracts.graphql.ts';
import type { RegistrySettings } from './registry-settings.entity.ts';

const RegistrySettingsRef = builder.objectRef<RegistrySettings>('RegistrySettings').implement({
  description: "Registry-wide settings (the Confluent-compatible API's global /config).",
  fields: (t) => ({
    defaultCompatibility: t.field({
      type: CompatibilityModeEnum,
      description: 'The compatibility mode a new contract gets when its first version names none.',
      resolve: (s) => s.defaultCompatibility,
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When they last changed.' }),
  }),
});

const UpdateRegistrySettingsInput = builder.inputType('UpdateRegistrySettingsInput', {
  description: 'New registry-wide settings.',
  fields: (t) => ({
    defaultCompatibility: t.field({
      type: CompatibilityModeEnum,
      required: true,
      description: 'The mode new contracts get.',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateRegistrySettingsPayload = builder
  .objectRef<RegistrySettings>('UpdateRegistrySettingsPayload')
  .implement({
    description: 'The settings as they are now.',
    fields: (t) => ({
      registrySettings: t.field({
        type: RegistrySettingsRef,
        description: 'The settings.',
        resolve: (s) => s,
      }),
    }),
  });

builder.queryFields((t) => ({
  registrySettings: t.field({
    type: RegistrySettingsRef,
    authScopes: { authenticated: true },
    description: 'Registry-wide settings.',
    resolve: (_r, _a, ctx) => ctx.services.contracts.registry.settings(ctx),
  }),
}));

builder.mutationFields((t) => ({
  updateRegistrySettings: t.field({
    type: UpdateRegistrySettingsPayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Changes the registry-wide settings (admins); audited as REGISTRY_SETTINGS_UPDATED.',
    args: {
      input: t.arg({ type: UpdateRegistrySettingsInput, required: true, description: 'What to do.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.registry.setDefaultCompatibility(
        ctx,
        input.defaultCompatibility,
        input.idempotencyKey,
      ),
  }),
}));
