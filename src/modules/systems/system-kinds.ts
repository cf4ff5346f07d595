/** The closed list of system kinds (no ORM import: the CLI's option parser reads it too). */
export const SYSTEM_KINDS = ['ERP', 'MES', 'WMS', 'PLM', 'QMS', 'SCHEDULER', 'PORTAL', 'OTHER'] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];
