// Errors of internal/iotctl-config. iotctl reports them as it does its own: one line, exit 1,
// since a config file that cannot be read or written is the operator's to fix, not a bug.

/** The config file cannot be read, is not JSON of the expected shape, or cannot be written. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  readonly code = 'CONFIG_FILE';
}
