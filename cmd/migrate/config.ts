// The environment of the migrations → one frozen, typed object: the schema owner's URL.
import { databaseOwnerUrl, loadConfig, logLevel, type Env } from '../../internal/config/index.js';

export function loadMigrateConfig(env: Env) {
  return loadConfig(env, { databaseOwnerUrl, logLevel });
}

export type MigrateConfig = ReturnType<typeof loadMigrateConfig>;
