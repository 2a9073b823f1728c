import { TRPC_PATH } from "@madoguchi/api/http";
import { CSRF_HEADER, REALTIME_PATH, REALTIME_PROTOCOL_VERSION } from "@madoguchi/api/router";
import { SCHEDULED_AFTER_MS } from "@madoguchi/core";
import { describe, expect, it } from "vitest";
import * as web from "../src/api/constants";

// The SPA copies these instead of importing server modules into the bundle; they must agree.
describe("constants shared with packages/api", () => {
  it("match the server's", () => {
    expect(web.CSRF_HEADER).toBe(CSRF_HEADER);
    expect(web.TRPC_URL).toBe(TRPC_PATH);
    expect(web.REALTIME_PATH).toBe(REALTIME_PATH);
    expect(web.REALTIME_PROTOCOL_VERSION).toBe(REALTIME_PROTOCOL_VERSION);
    expect(web.SCHEDULED_AFTER_MS).toBe(SCHEDULED_AFTER_MS);
  });
});
