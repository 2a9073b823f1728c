/** The To/Cc text as stored in a draft: one entry per piece (the API caps each at 254 characters). */
export const listPieces = (s: string) =>
  s
    .split(/[,;、\n]/)
    .map((p) => p.trim().slice(0, 254))
    .filter(Boolean)
    .slice(0, 100);

/** A stored list back into the text field. */
export const listText = (a: string[] | undefined) => (a ?? []).join(", ");
