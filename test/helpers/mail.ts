/**
 * Sign-in and invitation links are delivered from a timer after the answer (auth/mailer.ts
 * `deliveryQueue`). Without --smtp-url the delivery is one log line: one timer turn later
 * it is there. Await this before reading delivered links from the memory logger.
 */
import type { TestApp } from "./app";

export function deliveries(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The tokens delivered through the log so far (the air-gapped channel), oldest first. */
export async function deliveredTokens(t: TestApp): Promise<string[]> {
  await deliveries();
  return t.logger.lines.flatMap((line) => [...line.matchAll(/\/auth\/verify\?token=([A-Za-z0-9]+)/g)].map((m) => m[1]!));
}
