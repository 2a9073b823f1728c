/** Initials on a colour picked from the user id: enough to tell teammates apart in a list. */
const COLORS = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#1098ad", "#5c940d", "#e67700"];

export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return "?";
  const words = trimmed.split(/\s+/);
  // Japanese names are usually written without a space: the first character (family name) reads best.
  if (words.length > 1 && /^[\x20-\x7e]+$/.test(trimmed))
    return ((words[0]?.[0] ?? "") + (words[1]?.[0] ?? "")).toUpperCase();
  return [...trimmed]
    .slice(0, /^[\x20-\x7e]/.test(trimmed) ? 2 : 1)
    .join("")
    .toUpperCase();
}

export function Avatar(props: { id: number; name: string; size?: number }) {
  const size = props.size ?? 24;
  return (
    <span
      className="avatar"
      title={props.name}
      style={{
        background: COLORS[props.id % COLORS.length],
        width: size,
        height: size,
        fontSize: size * 0.45,
      }}
    >
      {initials(props.name)}
    </span>
  );
}
