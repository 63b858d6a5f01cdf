import { Migration20261122000000_initial } from './Migration20261122000000_initial';

/** Every migration, in order. New migrations are appended here. */
export const MIGRATIONS = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
];
