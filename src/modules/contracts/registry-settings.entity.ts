import { defineEntity, p } from '@mikro-orm/core';
import { COMPATIBILITY_MODES } from './compatibility/compatibility.ts';

/**
 * Registry-wide settings (one row): the compatibility mode a new contract gets when its first version
 * names none — Confluent's global `/config`.
 */
export const RegistrySettingsEntity = defineEntity({
  name: 'RegistrySettings',
  tableName: 'registry_settings',
  properties: {
    id: p.integer().primary(),
    defaultCompatibility: p.enum(COMPATIBILITY_MODES).default('BACKWARD'),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    lockVersion: p.integer().version(),
  },
});
export class RegistrySettings extends RegistrySettingsEntity.class {}
RegistrySettingsEntity.setClass(RegistrySettings);

/** The one row's id. */
export const REGISTRY_SETTINGS_ID = 1;
