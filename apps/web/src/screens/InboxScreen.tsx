import type { Me } from "../api/client";
import { ConversationList } from "../conversation/ConversationList";
import { ConversationView } from "../conversation/ConversationView";
import { useWide } from "../lib/media";

/** One inbox: the list, the conversation, or both side by side on a wide screen. */
export function InboxScreen(props: {
  me: Me;
  inboxId: number;
  conversationId: number | null;
  query: URLSearchParams;
}) {
  const wide = useWide();
  const showList = wide || props.conversationId === null;
  return (
    <div className={wide ? "split" : "single"}>
      {showList && (
        <ConversationList
          me={props.me}
          scope={{ kind: "inbox", inboxId: props.inboxId }}
          query={props.query}
          selectedId={props.conversationId}
        />
      )}
      {props.conversationId !== null && (
        <ConversationView
          key={props.conversationId}
          me={props.me}
          inboxId={props.inboxId}
          conversationId={props.conversationId}
          query={props.query}
        />
      )}
    </div>
  );
}
