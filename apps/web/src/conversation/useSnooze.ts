import { useMutation, useQueryClient } from "@tanstack/react-query";
import { mutationId, trpc } from "../api/client";
import { refreshConversation } from "../api/keys";
import { useI18n } from "../i18n";
import { showToast } from "../lib/toast";

/**
 * スヌーズ a conversation until a time (ISO), or end it (null): 保留 until then, 未対応 after.
 * The screens (and teammates', through realtime) refetch it when the server answers.
 */
export function useSnooze(c: { id: number; inboxId: number }) {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (until: string | null) =>
      trpc.conversation.snooze.mutate({ conversationId: c.id, until, clientMutationId: mutationId() }),
    onSuccess: (_r, until) => {
      if (until) showToast({ kind: "info", text: t("snooze.done", { time: dates.dayTime(until) }) });
    },
    onSettled: () => refreshConversation(qc, { conversationId: c.id, inboxId: c.inboxId }),
  });
}
