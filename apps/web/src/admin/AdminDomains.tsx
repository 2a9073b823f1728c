import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";
import { DomainDns } from "./DomainDns";

export function AdminDomains() {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  /** The domain whose DNS records are shown. */
  const [open, setOpen] = useState<string | null>(null);
  const toggle = (domain: string) => setOpen(open === domain ? null : domain);
  const domains = useQuery({
    queryKey: [...keys.admin, "domains"],
    queryFn: () => trpc.admin.domains.list.query(),
  });
  const add = useMutation({
    mutationFn: () => trpc.admin.domains.add.mutate({ name }),
    onSuccess: () => {
      setName("");
      void qc.invalidateQueries({ queryKey: keys.admin });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <div className="admin-panel">
      <form className="card form inline" onSubmit={submit}>
        <label>
          {t("admin.domainName")}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="example.co.jp"
            required
          />
        </label>
        <button type="submit" className="primary" disabled={add.isPending}>
          {t("admin.add")}
        </button>
      </form>
      {(add.error ?? domains.error) && (
        <p className="form-error">{t(errorKey(add.error ?? domains.error))}</p>
      )}
      <ul className="admin-list">
        {domains.data?.map((d) => (
          <li key={d.id} data-testid="domain" data-domain={d.name}>
            <strong className="grow">{d.name}</strong>
            <span className="muted small">{dates.full(d.createdAt)}</span>
            <button type="button" onClick={() => toggle(d.name)} aria-expanded={open === d.name}>
              {t("dns.show")}
            </button>
            {open === d.name && <DomainDns domain={d.name} />}
          </li>
        ))}
      </ul>
    </div>
  );
}
