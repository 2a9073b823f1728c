import dns2 from "dns2";

const { Packet } = dns2;
/** RFC 1035 RCODE 3 (dns2 has Packet.RCODE at runtime, not in its types). */
const NXDOMAIN = 3;
const answer = (r: Partial<dns2.Packet.Resource>) => r as dns2.Packet.Resource;

export interface ZoneEntry {
  MX?: { exchange: string; priority: number }[];
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
  /** Host names, at a reverse name such as 25.2.0.192.in-addr.arpa. */
  PTR?: string[];
}

export interface TestDns {
  /** "127.0.0.1:port", for SmtpSettings.dnsServers. */
  server: string;
  /** Mutable: tests add names as they go. Names are lower-case, without the trailing dot. */
  zone: Map<string, ZoneEntry>;
  /** Every question asked, as "TYPE name", in order. */
  asked: string[];
  close(): Promise<void>;
}

const typeName = (type: number) =>
  Object.entries(Packet.TYPE).find(([, value]) => value === type)?.[0] ?? String(type);

/** TXT strings are at most 255 bytes on the wire: long values (DKIM keys) go in chunks. */
const chunks = (value: string): string[] => value.match(/.{1,255}/g) ?? [""];

/**
 * A real DNS server on loopback (UDP), answering only from `zone`; anything else is NXDOMAIN.
 * Every test that resolves names points the code at this, so nothing leaves the machine.
 */
export async function startTestDns(zone = new Map<string, ZoneEntry>()): Promise<TestDns> {
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      if (!question) return send(response);
      const name = question.name.toLowerCase().replace(/\.$/, "");
      asked.push(`${typeName(question.type)} ${name}`);
      const entry = zone.get(name);
      if (!entry) {
        response.header.rcode = NXDOMAIN;
        return send(response);
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 1 };
      if (question.type === Packet.TYPE.MX)
        for (const mx of entry.MX ?? [])
          response.answers.push(
            answer({ ...base, type: Packet.TYPE.MX, exchange: mx.exchange, priority: mx.priority }),
          );
      if (question.type === Packet.TYPE.A)
        for (const address of entry.A ?? [])
          response.answers.push(answer({ ...base, type: Packet.TYPE.A, address }));
      if (question.type === Packet.TYPE.AAAA)
        for (const address of entry.AAAA ?? [])
          response.answers.push(answer({ ...base, type: Packet.TYPE.AAAA, address }));
      if (question.type === Packet.TYPE.PTR)
        for (const domain of entry.PTR ?? [])
          response.answers.push(answer({ ...base, type: Packet.TYPE.PTR, domain }));
      if (question.type === Packet.TYPE.TXT)
        for (const data of entry.TXT ?? [])
          response.answers.push(answer({ ...base, type: Packet.TYPE.TXT, data: chunks(data) }));
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = addresses.udp?.port;
  if (!port) throw new Error("test DNS server did not bind");
  return {
    server: `127.0.0.1:${port}`,
    zone,
    asked,
    close: async () => {
      await server.close();
    },
  };
}
