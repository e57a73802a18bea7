// Verifies a project's audit chain in the browser, as `evalctl audit
// verify` does: each event's hash is the SHA-256 of the previous hash, a
// newline, and the event's protobuf encoding with both hash fields cleared.
import { clone, toBinary } from "@bufbuild/protobuf";
import { AuditEventSchema, type AuditEvent } from "./gen/evaluation/v1/evaluation_pb";

export interface ChainCheck {
  ok: boolean;
  checked: number;
  // The sequence of the first event whose link does not hold.
  brokenAt?: bigint;
}

const hex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function eventHash(event: AuditEvent): Promise<string> {
  const bare = clone(AuditEventSchema, event);
  bare.hash = "";
  bare.prevHash = "";
  const body = toBinary(AuditEventSchema, bare);
  const prefix = new TextEncoder().encode(`${event.prevHash}\n`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return hex(await crypto.subtle.digest("SHA-256", all));
}

export async function verifyChain(events: AuditEvent[]): Promise<ChainCheck> {
  let previous = "";
  for (const e of events) {
    if (e.prevHash !== previous || (await eventHash(e)) !== e.hash) {
      return { ok: false, checked: events.length, brokenAt: e.sequence };
    }
    previous = e.hash;
  }
  return { ok: true, checked: events.length };
}
