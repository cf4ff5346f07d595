/**
 * The PostgreSQL driver, with one repair: a transaction whose connection died (a server restart or
 * kill, a failover) gives its pooled connection back. MikroORM rolls back a failed transaction
 * through Kysely, and Kysely releases the connection only after a rollback that succeeded; on a
 * dead connection the rollback fails, so the connection stayed checked out forever — every
 * transaction in flight during an outage leaked one, until the pool was empty and Canon refused all
 * writes after PostgreSQL was long back (test/integration/database-faults.test.ts). When the session
 * is gone, PostgreSQL has already rolled the transaction back; the rollback is then treated as done,
 * and the pool discards the broken client on release. BEGIN failing on a dead connection kept it
 * checked out the same way.
 */
import type { Configuration } from '@mikro-orm/core';
import { PostgreSqlConnection, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { classifyDatabaseError } from './error-classes.ts';

type Dialect = ReturnType<PostgreSqlConnection['createKyselyDialect']>;
type Driver = ReturnType<Dialect['createDriver']>;

/** A failure that means the session is gone (PostgreSQL never refuses BEGIN or ROLLBACK on a live one). */
function sessionGone(error: unknown): boolean {
  return (
    classifyDatabaseError(error) === 'SERVICE_UNAVAILABLE' ||
    /not queryable|closed|terminated/i.test(String((error as Error)?.message))
  );
}

function releasingDriver(driver: Driver): Driver {
  const begin = driver.beginTransaction.bind(driver);
  const rollback = driver.rollbackTransaction.bind(driver);
  // Kysely also keeps the connection when BEGIN itself fails. Letting the transaction start on the
  // dead session instead makes its first statement fail, and the rollback below releases it.
  driver.beginTransaction = async (connection, settings) => {
    try {
      await begin(connection, settings);
    } catch (error) {
      if (!sessionGone(error)) throw error;
    }
  };
  driver.rollbackTransaction = async (connection) => {
    try {
      await rollback(connection);
    } catch (error) {
      if (!sessionGone(error)) throw error;
    }
  };
  return driver;
}

class ReleasingConnection extends PostgreSqlConnection {
  override createKyselyDialect(
    overrides: Parameters<PostgreSqlConnection['createKyselyDialect']>[0],
  ): Dialect {
    const dialect = super.createKyselyDialect(overrides);
    const createDriver = dialect.createDriver.bind(dialect);
    dialect.createDriver = () => releasingDriver(createDriver());
    return dialect;
  }
}

export class ReleasingPostgreSqlDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    // the base class builds its connections in its constructor; these replace them before any connects
    const self = this as unknown as { connection: PostgreSqlConnection; replicas: PostgreSqlConnection[] };
    self.connection = new ReleasingConnection(this.config);
    self.replicas = this.createReplicas((conf) => new ReleasingConnection(this.config, conf, 'read'));
  }
}
