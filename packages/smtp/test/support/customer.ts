import { startTestDns, type TestDns } from "./dns-server";
import { type Receiver, refuse, startReceiver } from "./receiver";

/** What a customer's server says while it is down: a restart, so the sender keeps trying. */
export const DOWN_ANSWER = "4.3.2 Mailbox server restarting, try again later";

/** customer.example as outgoing mail finds it: an MX in a loopback DNS, naming a receiver on 127.0.0.1. */
export interface CustomerDomain {
  dns: TestDns;
  receiver: Receiver;
  /** While set, the receiver answers every message 451 DOWN_ANSWER. */
  down: boolean;
  /** A Madoguchi server's settings that send its outgoing mail here. */
  serverEnv: { MADOGUCHI_DNS_SERVERS: string; MADOGUCHI_OUTBOUND_PORT: string };
  close(): Promise<void>;
}

export async function startCustomerDomain(opts: { down?: boolean } = {}): Promise<CustomerDomain> {
  const dns = await startTestDns();
  dns.zone.set("customer.example", { MX: [{ exchange: "mx.customer.example", priority: 10 }] });
  dns.zone.set("mx.customer.example", { A: ["127.0.0.1"] });
  let receiver: Receiver;
  try {
    receiver = await startReceiver({
      data: async () => (customer.down ? refuse(451, DOWN_ANSWER) : undefined),
    });
  } catch (err) {
    await dns.close();
    throw err;
  }
  const customer: CustomerDomain = {
    dns,
    receiver,
    down: opts.down ?? false,
    serverEnv: { MADOGUCHI_DNS_SERVERS: dns.server, MADOGUCHI_OUTBOUND_PORT: String(receiver.port) },
    async close() {
      await receiver.close();
      await dns.close();
    },
  };
  return customer;
}
