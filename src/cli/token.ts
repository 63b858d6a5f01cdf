import '../runtime-defaults';
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadSigningKey, signToken, TokenError } from '../auth/tokens';
import { Role } from '../auth/viewer';
import { ConfigError, loadConfig } from '../config';
import { SourceSystem } from '../sources/source-system';

const USAGE = `Prints a gridhub token signed with the server's key (GRIDHUB_JWT_SECRET, or the key under GRIDHUB_DATA_DIR).

  npm run token -- --role ROLE [--role ROLE…] [--region CODE] [--source SYSTEM] [--department NAME] [--sub ID] [--ttl 12h]

  --role    ${Object.values(Role).join(', ')} (repeat or comma-separate for several)
  --region  region scope code, e.g. 150302; may be left out only for ADMIN (no region limit)
  --source  for DEPARTMENT: ${Object.values(SourceSystem).join(', ')}
  --department  for COMMAND_CENTER only: the handling department (处置部门) the token is a seat of, as the
            responsibility list names it, e.g. 海勃湾区城市管理综合执法局; it starts and resolves the cases
            dispatched to that department in its region
  --sub     subject (default: the first role, lower-cased, e.g. "analyst")
  --ttl     lifetime, e.g. 30m, 12h, 7d (default 12h)

The token is the last line of the output.`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        role: { type: 'string', multiple: true },
        region: { type: 'string' },
        source: { type: 'string' },
        department: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`token: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const roles = (values.role ?? []).flatMap((role) => role.split(',')).map((role) => role.trim().toUpperCase());
  if (roles.length === 0) {
    console.error(`token: --role is required\n\n${USAGE}`);
    process.exit(2);
  }
  if (!/^\d+[smhd]$/.test(values.ttl!)) {
    console.error('token: --ttl must be a number followed by s, m, h or d, e.g. 12h');
    process.exit(2);
  }
  const config = loadConfig();
  const key = await loadSigningKey(config.jwtSecret, config.dataDir);
  const token = await signToken(
    key,
    {
      sub: values.sub ?? roles[0].toLowerCase(),
      roles: roles as Role[],
      region: values.region,
      source: values.source?.toUpperCase() as SourceSystem | undefined,
      department: values.department,
    },
    values.ttl,
  );
  console.log(token);
}

main().catch((error) => {
  if (error instanceof TokenError || error instanceof ConfigError) {
    console.error(`token: ${error.message}`);
    process.exit(2);
  }
  console.error('token:', error);
  process.exit(1);
});
