import { useState } from "react";
import type { Status } from "../api/client";
import { useI18n } from "../i18n";
import { internalDomainsOf } from "../lib/reply-fields";
import { type ComposeFields, checkBeforeSend, type SendCheck } from "./send-checks";

export type OkCheck = Extract<SendCheck, { ok: true }>;

/**
 * The step between 送信 and the send itself (誤送信防止): the status the conversation gets,
 * then a recipient check whose problem shows as the form's error and whose good result opens
 * SendConfirm. `ownAddresses` (ownAddressesOf: the inbox's, its aliases' and the user's) decide
 * which domains are internal; `attachmentCount` drives the 添付 warning.
 */
export function useSendStep(
  fields: ComposeFields,
  opts: { ownAddresses: readonly string[]; attachmentCount: number; statusAfter: Status },
) {
  const { t } = useI18n();
  const [statusAfter, setStatusAfter] = useState<Status>(opts.statusAfter);
  const [check, setCheck] = useState<OkCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = () =>
    checkBeforeSend(fields, {
      internalDomains: internalDomainsOf(opts.ownAddresses),
      attachmentCount: opts.attachmentCount,
    });
  const start = () => {
    const c = run();
    if (!c.ok) {
      setError(
        c.problem === "noRecipients"
          ? t("compose.noRecipients")
          : t("compose.invalidRecipients", { list: c.invalid.join(", ") }),
      );
      return;
    }
    setError(null);
    setCheck(c);
  };
  const close = () => setCheck(null);
  return { statusAfter, setStatusAfter, check, error, setError, start, run, close };
}

export type SendStep = ReturnType<typeof useSendStep>;
