/**
 * The integer ids schema-registry clients know versions by, given once at publication: a
 * registry-wide id from a database sequence (Confluent's global schema id) and the version's place in
 * its contract's publication order (Confluent's version number). The caller holds the contract's row
 * lock, so two publications of one contract never take the same place.
 */
import type { Em } from '../../db/orm.ts';
import type { ContractVersion } from './contract-version.entity.ts';

export async function assignRegistryIds(em: Em, row: ContractVersion): Promise<void> {
  if (row.registryId != null) return;
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  const [{ next }] = await connection.execute<{ next: string }[]>(
    `select nextval('contract_version_registry_id_seq') as next`,
    [],
    'all',
    tx,
  );
  const [{ last }] = await connection.execute<{ last: number | null }[]>(
    'select max(registry_sequence) as last from contract_version where contract_id = ?',
    [row.contract.id],
    'all',
    tx,
  );
  row.registryId = Number(next);
  row.registrySequence = Number(last ?? 0) + 1;
}
