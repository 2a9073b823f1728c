/** Subject-fallback threading only merges mail this close in time (and from the same customer). */
export const SUBJECT_THREAD_WINDOW_MS = 72 * 60 * 60 * 1000;

export declare function normalizeSubject(subject: string): string;
export declare function hasReplyPrefix(subject: string): boolean;
