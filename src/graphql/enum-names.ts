/** GraphQL enum value names from internal values: `work-center` → `WORK_CENTER`, `inProgress` → `IN_PROGRESS`. */
export const screamingCase = (value: string) =>
  value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toUpperCase();
