import type { Label } from "../api/client";
import { useI18n } from "../i18n";

/** The colours a label can take, one round button each, the chosen one pressed (create and edit forms). */
export function LabelSwatches(props: {
  colors: Label["color"][];
  chosen: Label["color"] | undefined;
  onChoose: (color: Label["color"]) => void;
  /** data-testid of each button: `${testIdPrefix}-${colour}`. */
  testIdPrefix: string;
}) {
  const { t } = useI18n();
  return (
    <div className="label-swatches">
      {props.colors.map((c) => {
        const colorName = t("labels.color", { color: t(`labels.color.${c}`) });
        return (
          <button
            key={c}
            type="button"
            className={`label-swatch label-${c}`}
            aria-pressed={c === props.chosen}
            aria-label={colorName}
            title={colorName}
            onClick={() => props.onChoose(c)}
            data-testid={`${props.testIdPrefix}-${c}`}
          />
        );
      })}
    </div>
  );
}
