import type { RecipientResult } from "@madoguchi/core";

export interface Explanation {
  ja: string;
  en: string;
}

/** The common failures, in the words a sender understands (matched on the enhanced status first). */
const BY_STATUS: [RegExp, Explanation][] = [
  [
    /^5\.1\.1$/,
    {
      ja: "宛先のメールアドレスが存在しません。アドレスに誤りがないか確認してください。",
      en: "The recipient address does not exist. Please check it for typos.",
    },
  ],
  [
    /^5\.1\.(2|10)$/,
    {
      ja: "宛先のドメイン（メールサーバー）が見つかりません。@以降に誤りがないか確認してください。",
      en: "The recipient's domain or mail server could not be found. Please check the part after the @.",
    },
  ],
  [
    /^5\.1\.6$/,
    {
      ja: "宛先はこのサーバーのユーザーではありません（移転した可能性があります）。",
      en: "The recipient is not local to that server (the address may have moved).",
    },
  ],
  [
    /^5\.2\.2$/,
    {
      ja: "宛先のメールボックスが一杯です。時間をおいて送り直すか、別の方法で連絡してください。",
      en: "The recipient's mailbox is full. Try again later or reach them another way.",
    },
  ],
  [
    /^5\.[23]\.[34]$/,
    {
      ja: "メールが大きすぎます。添付ファイルを小さくするか、共有リンクを使ってください。",
      en: "The message is too large. Make the attachments smaller or send a link instead.",
    },
  ],
  [
    /^5\.7\./,
    {
      ja: "相手のサーバーがポリシー（迷惑メール対策・送信者認証など）により受け取りを拒否しました。",
      en: "The receiving server refused the message by policy (spam filtering, sender authentication).",
    },
  ],
  [
    /^5\.4\.7$/,
    {
      ja: "一定期間再試行しましたが、相手のサーバーに届けられませんでした。",
      en: "The message could not be delivered for several days of retries.",
    },
  ],
];

const BY_CODE: Record<number, Explanation> = {
  550: {
    ja: "宛先のメールアドレスが存在しないか、相手のサーバーが受け取りを拒否しました。",
    en: "The recipient does not exist, or the receiving server refused the message.",
  },
  551: {
    ja: "宛先はこのサーバーのユーザーではありません。",
    en: "The recipient is not local to that server.",
  },
  552: {
    ja: "宛先のメールボックスが一杯か、メールが大きすぎます。",
    en: "The recipient's mailbox is full, or the message is too large.",
  },
  553: {
    ja: "送信者のアドレスが拒否されました（認証されていない、または使用が認められていないアドレスです）。",
    en: "The sender address was refused (not logged in, or not allowed to use that address).",
  },
  554: {
    ja: "配信が拒否されました（ポリシーまたは迷惑メール判定による可能性があります）。",
    en: "The transaction failed, possibly refused by policy or as spam.",
  },
};

const GENERIC: Explanation = {
  ja: "相手のサーバーがメールを受け取れませんでした。下記のサーバーからの応答を確認してください。",
  en: "The receiving server could not accept the message. See its own answer below.",
};

export const DELAYED: Explanation = {
  ja: "このメールはまだ届いていません。相手のサーバーに接続できないか、一時的に拒否されています。自動で再試行を続けますので、送り直す必要はありません。",
  en: "This message has not been delivered yet: the receiving server cannot be reached or refused it for now. Delivery is retried automatically; there is no need to send it again.",
};

const CANCELLED: Explanation = {
  ja: "管理者が配送を中止しました。相手には届いていません。宛先を確かめ、必要なら送り直してください。",
  en: "An administrator stopped the delivery: the message did not reach the recipient. Check the address and send it again if needed.",
};

export function explain(result: RecipientResult): Explanation {
  if (result.cancelled) return CANCELLED;
  const status = result.status ?? "";
  for (const [pattern, explanation] of BY_STATUS) if (pattern.test(status)) return explanation;
  return (result.code !== null ? BY_CODE[result.code] : undefined) ?? GENERIC;
}
