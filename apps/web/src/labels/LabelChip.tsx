import type { LabelRef } from "../api/client";

/** A label as a coloured chip; the colour classes are in styles.css (.label-chip.label-red…). */
export function LabelChip(props: { label: Pick<LabelRef, "name" | "color">; testId?: string }) {
  return (
    <span
      className={`label-chip label-${props.label.color}`}
      data-testid={props.testId}
      title={props.label.name}
    >
      {props.label.name}
    </span>
  );
}
