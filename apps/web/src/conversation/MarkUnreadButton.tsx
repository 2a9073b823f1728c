import { useMutation, useQueryClient } from "@tanstack/react-query";
import { trpc } from "../api/client";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { navigate } from "../lib/route";

/**
 * 未読にする: unread for this user in the web and in their mail clients (\Seen cleared). Goes
 * back to the list, since the open view would mark it read again at once.
 */
export function MarkUnreadButton(props: { conversationId: number; backHref: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const markUnread = useMutation({
    mutationFn: () =>
      trpc.conversation.markRead.mutate({ conversationId: props.conversationId, read: false }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.listAll });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      void qc.invalidateQueries({ queryKey: keys.conversation(props.conversationId) });
      navigate(props.backHref);
    },
  });
  return (
    <button
      type="button"
      className="link"
      data-testid="mark-unread"
      disabled={markUnread.isPending}
      onClick={() => markUnread.mutate()}
    >
      {t("conv.markUnread")}
    </button>
  );
}
