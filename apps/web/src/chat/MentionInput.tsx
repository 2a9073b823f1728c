import { type KeyboardEvent, useRef, useState } from "react";
import { insertMention, type MentionCandidate, matchMembers, mentionQueryAt, mentionToken } from "./mentions";

/** A textarea with @mention autocomplete over the inbox's members. Ctrl/⌘+Enter submits. */
export function MentionInput(props: {
  value: string;
  onChange: (v: string) => void;
  onSubmit: () => void;
  members: readonly MentionCandidate[];
  placeholder: string;
  label: string;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [at, setAt] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const matches = at ? matchMembers(props.members, at.query) : [];

  const update = (text: string, caret: number) => {
    props.onChange(text);
    setAt(mentionQueryAt(text, caret));
    setActive(0);
  };

  const choose = (member: MentionCandidate) => {
    if (!at) return;
    const r = insertMention(props.value, at, mentionToken(member, props.members));
    props.onChange(r.text);
    setAt(null);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(r.caret, r.caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setActive((i) => (i + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        const m = matches[active];
        if (m) choose(m);
        return;
      }
      if (e.key === "Escape") {
        setAt(null);
        return;
      }
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      props.onSubmit();
    }
  };

  return (
    <div className="mention-input">
      <textarea
        ref={ref}
        rows={2}
        value={props.value}
        placeholder={props.placeholder}
        aria-label={props.label}
        onChange={(e) => update(e.target.value, e.target.selectionStart)}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setAt(null), 150)}
        data-testid="chat-input"
      />
      {matches.length > 0 && (
        <div className="mention-menu" data-testid="mention-menu">
          {matches.map((m, i) => (
            <button
              key={m.userId}
              type="button"
              className={i === active ? "active" : undefined}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(m)}
            >
              {m.name} <span className="muted small">{m.email}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
