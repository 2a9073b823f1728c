/** Null bytes break PostgreSQL text columns and some clients; they never carry meaning in mail text. */
export const stripNulls = (text: string): string => text.replace(/\0/g, "");
