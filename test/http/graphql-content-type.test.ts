// GraphQL runs only what is POSTed as JSON: a form or multipart body, which a browser may send to
// another origin without a preflight, is refused before anything is executed.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();

function post(contentType: string, body: string) {
  return gateway.app.fetch(
    new Request("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${gateway.token}` },
      body,
    }),
  );
}

describe("GraphQL request bodies", () => {
  it.each([
    ["application/x-www-form-urlencoded", "query=%7B%20viewer%20%7B%20livemode%20%7D%20%7D"],
    ["multipart/form-data; boundary=x", "--x--\r\n"],
    ["text/plain", '{"query":"{ viewer { livemode } }"}'],
  ])("refuses %s with 415 and a typed error", async (contentType, body) => {
    const response = await post(contentType, body);
    expect(response.status).toBe(415);
    const reply = (await response.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
    expect(reply.errors[0]!.extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(reply.data).toBeUndefined();
  });

  it("runs JSON", async () => {
    const response = await post("application/json; charset=utf-8", JSON.stringify({ query: "{ viewer { livemode } }" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { livemode: true } } });
  });
});
