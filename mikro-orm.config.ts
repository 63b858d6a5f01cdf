import { loadConfig } from './src/config';
import { ormConfig } from './src/db/orm-config';

/**
 * For MikroORM's own CLI only (the hub and the tests call `ormConfig` themselves): the configured database
 * (`DATABASE_URL`), as maintenance work, without a statement timeout.
 */
export default ormConfig(loadConfig().databaseUrl ?? 'postgres://localhost/gridhub');
