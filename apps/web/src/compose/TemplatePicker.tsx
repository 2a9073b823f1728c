import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";

/** Inserts an inbox template, filled by the server for this conversation and agent. */
export function TemplatePicker(props: {
  inboxId: number;
  conversationId: number;
  onInsert: (r: { subject: string | null; body: string }) => void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const list = useQuery({
    queryKey: keys.templates(props.inboxId),
    queryFn: () => trpc.template.list.query({ inboxId: props.inboxId }),
    staleTime: 60_000,
  });
  const templates = list.data?.templates ?? [];
  if (templates.length === 0) return null;
  return (
    <>
      <select
        aria-label={t("compose.template")}
        value=""
        onChange={async (e) => {
          const templateId = Number(e.target.value);
          if (!templateId) return;
          try {
            setError(null);
            props.onInsert(
              await trpc.template.render.query({ templateId, conversationId: props.conversationId }),
            );
          } catch (err) {
            setError(err);
          }
        }}
      >
        <option value="">{t("compose.templateNone")}</option>
        {templates.map((tpl) => (
          <option key={tpl.id} value={tpl.id}>
            {tpl.name}
          </option>
        ))}
      </select>
      {error !== null && <span className="form-error">{t(errorKey(error))}</span>}
    </>
  );
}
