/**
 * Delivering sign-in links (API.md §2). With `--smtp-url` the link is mailed; without it
 * the link is written to the server log — the air-gapped default, where the operator
 * reads it off the console. That log line is the ONE place a secret is ever logged, by
 * design: it is the delivery channel. Delivery runs in the background (`deliveryQueue`)
 * so that `send-link` answers at once and the same way whether or not the email is known.
 */
import type { Logger } from "../logger";
import { parseSmtpUrl, sendMail } from "./smtp";

export interface SignInMail {
  to: string;
  url: string;
  /** set when the link comes with an invitation (POST /api/v1/users/invite): who asked, to which organization */
  invitation?: { organization: string; invitedBy: string };
}

export type Deliver = (mail: SignInMail) => Promise<void>;

/** Builds the delivery function for a server's settings. */
export function createSignInMailer(config: { smtpUrl?: string; publicUrl: string }, logger: Logger): Deliver {
  if (!config.smtpUrl) {
    return async ({ to, url, invitation }) => {
      logger.info("sign-in link (no --smtp-url: delivered here)", { email: to, url, invited_by: invitation?.invitedBy });
    };
  }
  const target = parseSmtpUrl(config.smtpUrl);
  const host = new URL(config.publicUrl).hostname;
  const from = target.from ?? `ipcraft@${host.includes(".") ? host : "localhost"}`;
  return async ({ to, url, invitation }) => {
    try {
      await sendMail(target, {
        from,
        to,
        // ASCII only: the subject header is not MIME-encoded, and organization names may not be ASCII.
        subject: invitation ? "You are invited to IPCraft" : "Your IPCraft sign-in link",
        text: (invitation
          ? [
              `${invitation.invitedBy} invited you to the organization "${invitation.organization}" on IPCraft.`,
              "Open this link to accept the invitation and sign in:",
              "",
              url,
              "",
              "It works once and expires in 7 days. If you do not want to join, ignore this mail.",
              `Once you have joined, ask for a sign-in link on the sign-in page (${new URL(config.publicUrl).origin}/signin) with this email address.`,
            ]
          : [
              "Open this link to sign in to IPCraft:",
              "",
              url,
              "",
              "It works once and expires in 15 minutes. If you did not ask for it, ignore this mail.",
            ]
        ).join("\n"),
      }, { helo: host });
      logger.info("sign-in link mailed", { email: to });
    } catch (error) {
      // Never the link here: a failed delivery must not turn the log into the channel.
      logger.warn("sign-in link could not be mailed", { email: to, error: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** Mails waiting beyond this are dropped (logged without their link): memory stays bounded. */
const QUEUE_LIMIT = 1000;

/**
 * Hands mails to `deliver` one at a time, from a timer, i.e. after the request that asked
 * for them has been answered: the answer never waits on (or is timed by) the log or the
 * mail relay. Returns the enqueue function; `idle()` resolves once the queue is empty.
 */
export function deliveryQueue(deliver: Deliver, logger: Logger) {
  const waiting: SignInMail[] = [];
  let running: Promise<void> | null = null;

  async function drain(): Promise<void> {
    for (let mail = waiting.shift(); mail; mail = waiting.shift()) {
      try {
        await deliver(mail);
      } catch (error) {
        logger.warn("sign-in link could not be delivered", { email: mail.to, error: error instanceof Error ? error.message : String(error) });
      }
    }
    running = null;
  }

  function enqueue(mail: SignInMail): void {
    if (waiting.length >= QUEUE_LIMIT) {
      logger.warn("sign-in link dropped: too many mails waiting", { email: mail.to });
      return;
    }
    waiting.push(mail);
    running ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(drain);
  }

  return Object.assign(enqueue, { idle: async () => { while (running) await running; } });
}
