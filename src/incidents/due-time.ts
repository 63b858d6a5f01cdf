import { IncidentCategory, Severity } from './incident.entity';

/**
 * The due-time policy (处置时限): how long a dispatched case may take, per category at LOW severity, shortened by a
 * factor for graver cases. Dispatch and a failed verification (which dispatches again) set `dueAt` from it; the
 * overdue sweeper compares against `dueAt`. Pure data and functions; the configuration reads the overrides.
 */
export interface DuePolicy {
  /** Hours allowed per category at LOW severity. */
  hours: Readonly<Record<IncidentCategory, number>>;
  /** Multiplier of those hours per severity (graver: shorter). */
  severityFactor: Readonly<Record<Severity, number>>;
}

/** The documented default (README, Configuration): `GRIDHUB_DUE_HOURS` and `GRIDHUB_DUE_SEVERITY_FACTORS` override it. */
export const DEFAULT_DUE_POLICY: DuePolicy = {
  hours: {
    DISPUTE: 72,
    SAFETY_HAZARD: 24,
    CITY_MANAGEMENT: 48,
    PUBLIC_SERVICE_REQUEST: 120,
    PUBLIC_SECURITY: 12,
    ENVIRONMENT: 48,
    OTHER: 120,
  },
  severityFactor: { LOW: 1, MEDIUM: 0.75, HIGH: 0.5, CRITICAL: 0.25 },
};

/** Seconds a case of `category` and `severity` may take from dispatch to resolution under `policy`. */
export function dueLimitSeconds(policy: DuePolicy, category: IncidentCategory, severity: Severity): number {
  return Math.round(policy.hours[category] * policy.severityFactor[severity] * 3600);
}

/** The due time of a case dispatched at `from`. */
export function dueTime(policy: DuePolicy, category: IncidentCategory, severity: Severity, from: Date): Date {
  return new Date(from.getTime() + dueLimitSeconds(policy, category, severity) * 1000);
}

/**
 * The policy with overrides in the configuration's `KEY=number,KEY=number` form: `hours` names categories
 * (hours, above 0, at most 8,760), `factors` severities (above 0, at most 10). Unset keys keep the default.
 * @throws Error whose message names the variable (`hoursName`, `factorsName`) and the bad entry.
 */
export function parseDuePolicy(
  hours: string | undefined,
  factors: string | undefined,
  hoursName = 'GRIDHUB_DUE_HOURS',
  factorsName = 'GRIDHUB_DUE_SEVERITY_FACTORS',
): DuePolicy {
  return {
    hours: overrides(DEFAULT_DUE_POLICY.hours, hours, hoursName, 8760),
    severityFactor: overrides(DEFAULT_DUE_POLICY.severityFactor, factors, factorsName, 10),
  };
}

function overrides<K extends string>(base: Readonly<Record<K, number>>, text: string | undefined, name: string, max: number): Record<K, number> {
  const result: Record<K, number> = { ...base };
  if (text === undefined) return result;
  for (const part of text.split(',')) {
    const match = /^\s*([A-Z_]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    const value = match ? Number(match[2]) : NaN;
    if (!match || !(match[1] in base) || !(value > 0) || value > max) {
      throw new Error(
        `${name} must look like "${Object.keys(base).slice(0, 2).map((key) => `${key}=${base[key as K]}`).join(',')}" ` +
          `(keys ${Object.keys(base).join(', ')}; numbers above 0, at most ${max}), got "${text}"`,
      );
    }
    result[match[1] as K] = value;
  }
  return result;
}
