/** A configuration value that is wrong; the message names the variable and the fix. */
export class ConfigError extends Error {}
