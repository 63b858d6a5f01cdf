import { Config, ConfigError, loadConfig } from '../config';

/**
 * The start every gridhub command shares: its flags parsed (`parse` returns null for `--help`, throws naming a bad
 * flag), then the configuration read. Returns them, or the exit status when the command ends here: 0 after the
 * usage was printed for `--help`, 2 for a bad flag or configuration value (the message names it).
 */
export function startCli<O>(name: string, usage: string, parse: (argv: string[]) => O | null): { options: O; config: Config } | number {
  let options: O | null;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options === null) {
    console.log(usage);
    return 0;
  }
  try {
    return { options, config: loadConfig() };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
