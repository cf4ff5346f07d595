/** Small contract schemas for tests; each test uses contract names of its own. */
import { randomBytes } from 'node:crypto';

export const uniqueName = (base: string): string => `${base}-${randomBytes(3).toString('hex')}`;

export const closedObject = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
