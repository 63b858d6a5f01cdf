/** Small readers of stored payload values, shared by the kinds' mappers. */

/** A coordinate pair as survivorship compares it: one value, so a point's two halves never come from two sources. */
export interface Location {
  lng: number;
  lat: number;
}

/** Trimmed text, or null for anything that is not a non-blank string. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The record's coordinates, when it gives both. */
export function locationOf(payload: Record<string, unknown>): Location | null {
  return typeof payload.lng === 'number' && typeof payload.lat === 'number' ? { lng: payload.lng, lat: payload.lat } : null;
}

/** Orders decimal id strings numerically (bigint-safe). */
export function byNumber(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
