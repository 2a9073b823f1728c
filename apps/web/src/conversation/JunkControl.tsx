import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ConversationDetail, mutationId, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { refreshConversation } from "../api/keys";
import { useI18n } from "../i18n";
import { navigate } from "../lib/route";
import { showToast } from "../lib/toast";

/**
 * 迷惑メールにする for a conversation in the lists (its mail moves to Junk, and the view goes back
 * to the list it has left), or, on a junk one, a line saying so with 迷惑メールではない (its mail
 * moves back to INBOX and it returns to the lists).
 */
export function JunkControl(props: { detail: ConversationDetail; backHref: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const c = props.detail.conversation;
  const setJunk = useMutation({
    mutationFn: (junk: boolean) =>
      trpc.conversation.setJunk.mutate({ conversationId: c.id, junk, clientMutationId: mutationId() }),
    onSuccess: (_result, junk) => {
      if (junk) {
        showToast({ kind: "info", text: t("conv.junk.marked") });
        navigate(props.backHref);
      }
    },
    onSettled: () => refreshConversation(qc, { conversationId: c.id, inboxId: c.inboxId }),
  });
  const error = setJunk.error && (
    <p className="form-error" role="alert">
      {t(errorKey(setJunk.error))}
    </p>
  );
  if (!c.junk)
    return (
      <>
        <button
          type="button"
          className="link"
          data-testid="mark-junk"
          disabled={setJunk.isPending}
          onClick={() => setJunk.mutate(true)}
        >
          {t("conv.junk.mark")}
        </button>
        {error}
      </>
    );
  return (
    <p className="banner warn junk-thread" data-testid="junk-thread">
      {t("conv.junk.thread")}{" "}
      <button
        type="button"
        data-testid="not-junk"
        disabled={setJunk.isPending}
        onClick={() => setJunk.mutate(false)}
      >
        {t("conv.junk.notJunk")}
      </button>
      {error}
    </p>
  );
}
