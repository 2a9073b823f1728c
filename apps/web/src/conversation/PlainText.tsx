import { linkParts } from "../lib/markdown";

/** Plain-text mail: whitespace kept, links clickable (new tab, no referrer), quoted lines dimmed. */
export function PlainText(props: { text: string }) {
  const lines = props.text.replace(/\r\n/g, "\n").split("\n");
  return (
    <div className="plain-text">
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one immutable text
        <div key={i} className={line.startsWith(">") ? "quoted" : undefined}>
          {line === ""
            ? "\u00a0"
            : linkParts(line).map((part, j) =>
                part.href ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable line
                  <a key={j} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
                    {part.text}
                  </a>
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable line
                  <span key={j}>{part.text}</span>
                ),
              )}
        </div>
      ))}
    </div>
  );
}
