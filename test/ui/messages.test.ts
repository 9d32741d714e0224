/**
 * The web app shows the API's own error sentences (src/ui/api.ts messageOf), without the
 * route an API user would call next: "(POST /api/v1/subnets/…/addresses)" means nothing in
 * a dialog.
 */
import { describe, expect, test } from "bun:test";
import { ApiFailure, messageOf } from "../../src/ui/api";

describe("the app's error sentences", () => {
  test("leave out a trailing API route, and nothing else", () => {
    const inChild = new ApiFailure(400, "10.0.1.50 lies inside the child subnet 10.0.1.0/24; record it there (POST /api/v1/subnets/0b9c7a52-4a8e-4f55-9d0e-6e3f7c2b1a90/addresses)", "ip_in_child_subnet");
    expect(messageOf(inChild)).toBe("10.0.1.50 lies inside the child subnet 10.0.1.0/24; record it there");
    // Parentheses that are not a route stay.
    const plain = new ApiFailure(409, "Subnet overlaps with existing subnet 10.0.0.0/16 (Core)", "subnet_overlap");
    expect(messageOf(plain)).toBe("Subnet overlaps with existing subnet 10.0.0.0/16 (Core)");
    expect(messageOf(new Error("network down"))).toBe("network down");
  });
});
