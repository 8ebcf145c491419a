// `npm run migrate`: applies internal/storage/migrations to IOT_DATABASE_OWNER_URL (the schema
// owner; services connect as the less privileged IOT_DATABASE_URL role).
import pg from 'pg';
import { ConfigError } from '../../internal/config/index.js';
import { runMigrations } from '../../internal/storage/index.js';
import { createLogger } from '../../internal/telemetry/index.js';
import { loadMigrateConfig } from './config.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadMigrateConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`migrate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger('migrate', config.logLevel);
  const client = new pg.Client({
    connectionString: config.databaseOwnerUrl,
    application_name: 'iot-migrate',
  });
  await client.connect();
  try {
    const summary = await runMigrations(client, { logger });
    logger.info(summary, 'migrations done');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migrations failed');
    return 1;
  } finally {
    await client.end();
  }
}

process.exitCode = await main();
