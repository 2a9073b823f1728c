import { Store } from "./store";

export interface Toast {
  id: number;
  text: string;
  /** notification: one of the user's in-app notifications (a mention, a スヌーズ ended) arrived. */
  kind: "info" | "error" | "notification";
  href?: string;
}

const MAX_TOASTS = 4;
const TOAST_MS = 8000;
let nextId = 1;

export const toasts = new Store<Toast[]>([]);

export function showToast(toast: Omit<Toast, "id">, ms = TOAST_MS): void {
  const id = nextId++;
  toasts.update((list) => [...list, { ...toast, id }].slice(-MAX_TOASTS));
  window.setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  toasts.update((list) => list.filter((t) => t.id !== id));
}
