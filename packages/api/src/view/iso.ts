/** Dates leave the API as ISO strings (no transformer: what the SPA's types say is what arrives). */
export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
