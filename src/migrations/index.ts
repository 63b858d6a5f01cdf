import { Migration20261122000000_initial } from './Migration20261122000000_initial';
import { Migration20261202000000_incident_lineage } from './Migration20261202000000_incident_lineage';
import { Migration20261202100000_region_shape } from './Migration20261202100000_region_shape';
import { Migration20261202200000_ingestion } from './Migration20261202200000_ingestion';
import { Migration20261203100000_workflow } from './Migration20261203100000_workflow';
import { Migration20261203200000_live } from './Migration20261203200000_live';
import { Migration20261203300000_calls } from './Migration20261203300000_calls';
import { Migration20261204100000_incident_links } from './Migration20261204100000_incident_links';
import { Migration20261205100000_search } from './Migration20261205100000_search';
import { Migration20261205200000_region_order } from './Migration20261205200000_region_order';
import { Migration20261206100000_stats_cover } from './Migration20261206100000_stats_cover';

/** Every migration, in order. New migrations are appended here. */
export const MIGRATIONS = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
  { name: 'Migration20261202000000_incident_lineage', class: Migration20261202000000_incident_lineage },
  { name: 'Migration20261202100000_region_shape', class: Migration20261202100000_region_shape },
  { name: 'Migration20261202200000_ingestion', class: Migration20261202200000_ingestion },
  { name: 'Migration20261203100000_workflow', class: Migration20261203100000_workflow },
  { name: 'Migration20261203200000_live', class: Migration20261203200000_live },
  { name: 'Migration20261203300000_calls', class: Migration20261203300000_calls },
  { name: 'Migration20261204100000_incident_links', class: Migration20261204100000_incident_links },
  { name: 'Migration20261205100000_search', class: Migration20261205100000_search },
  { name: 'Migration20261205200000_region_order', class: Migration20261205200000_region_order },
  { name: 'Migration20261206100000_stats_cover', class: Migration20261206100000_stats_cover },
];
