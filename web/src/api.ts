// The typed client of evaluation.v1.EvaluationService over the Connect
// protocol's JSON form, on the page's own origin. Every message type comes
// from proto/ (src/gen, protoc-gen-es): no JSON shape is written by hand.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EvaluationService } from "./gen/evaluation/v1/evaluation_pb";
import { token } from "./session";

const bearer: Interceptor = (next) => (req) => {
  const value = token();
  if (value) req.header.set("Authorization", `Bearer ${value}`);
  return next(req);
};

export const api = createClient(
  EvaluationService,
  createConnectTransport({
    baseUrl: location.origin,
    useBinaryFormat: false,
    interceptors: [bearer],
  }),
);

// Every item of a paged list: calls `page` with each next_page_token.
export async function listAll<T>(
  page: (pageToken: string) => Promise<{ items: T[]; next: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let next = "";
  do {
    const p = await page(next);
    out.push(...p.items);
    next = p.next;
  } while (next !== "");
  return out;
}
