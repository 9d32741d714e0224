/**
 * A small SMTP client for one job: mailing a sign-in link (RFC 5321).
 *
 * `smtp://[user:pass@]host[:port][?from=addr]` speaks plain SMTP (default port 25);
 * `smtps://...` wraps the connection in TLS from the start (default port 465).
 * Conversation: greeting → EHLO (HELO if refused) → AUTH PLAIN or LOGIN when the URL
 * has credentials → MAIL FROM → RCPT TO → DATA (dot-stuffed) → QUIT.
 * Every step has a deadline, so a dead relay never leaves a request hanging.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface SmtpTarget {
  host: string;
  port: number;
  tls: boolean;
  user?: string;
  password?: string;
  from?: string;
}

export class SmtpError extends Error {}

/** Reads an `--smtp-url`. Throws SmtpError for anything it cannot use. */
export function parseSmtpUrl(text: string): SmtpTarget {
  const url = new URL(text);
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new SmtpError(`unsupported mail URL scheme ${url.protocol}`);
  const tls = url.protocol === "smtps:";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : tls ? 465 : 25,
    tls,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    from: url.searchParams.get("from") ?? undefined,
  };
}

interface Reply {
  code: number;
  lines: string[];
}

/** Line reader over a socket: resolves one complete (possibly multi-line) reply at a time. */
class Conversation {
  private buffer = "";
  private replies: Reply[] = [];
  private pending: string[] = [];
  private waiter?: { resolve: (r: Reply) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (error) => this.fail(new SmtpError(`mail server connection failed: ${error.message}`)));
    socket.on("close", () => this.fail(new SmtpError("mail server closed the connection")));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let eol: number;
    while ((eol = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, eol).replace(/\r$/, "");
      this.buffer = this.buffer.slice(eol + 1);
      this.pending.push(line.slice(4));
      // "250-..." continues a reply; "250 ..." ends it.
      if (line[3] !== "-") {
        this.replies.push({ code: Number(line.slice(0, 3)), lines: this.pending });
        this.pending = [];
      }
    }
    this.flush();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.flush();
  }

  private flush(): void {
    if (!this.waiter) return;
    const reply = this.replies.shift();
    if (reply) {
      this.waiter.resolve(reply);
      this.waiter = undefined;
    } else if (this.failure) {
      this.waiter.reject(this.failure);
      this.waiter = undefined;
    }
  }

  read(): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new SmtpError("mail server did not answer in time"));
      }, this.timeoutMs);
      this.waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.flush();
    });
  }

  /** Sends `line` (or nothing, for the greeting) and checks the reply code. `shown` replaces secrets in errors. */
  async step(line: string | null, expect: number[], shown = line ?? "greeting"): Promise<Reply> {
    if (line !== null) this.socket.write(`${line}\r\n`);
    const reply = await this.read();
    if (!expect.includes(reply.code)) {
      throw new SmtpError(`mail server refused ${shown.split(" ")[0]}: ${reply.code} ${reply.lines.join(" ")}`);
    }
    return reply;
  }
}

function openSocket(target: SmtpTarget): Socket {
  return target.tls
    ? tlsConnect({ host: target.host, port: target.port, servername: target.host })
    : netConnect({ host: target.host, port: target.port });
}

/** The message as DATA: CRLF line ends, headers, and leading dots doubled (RFC 5321 §4.5.2). */
export function formatMessage(message: MailMessage, now = new Date()): string {
  const domain = message.from.split("@")[1] ?? "localhost";
  const headers = [
    `From: ${message.from}`,
    `To: ${message.to}`,
    `Subject: ${message.subject}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${crypto.randomUUID()}@${domain}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  const body = message.text.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  return `${headers.join("\r\n")}\r\n\r\n${body}\r\n.`;
}

/** Delivers one message. Resolves when the server accepted it; rejects with SmtpError otherwise. */
export async function sendMail(target: SmtpTarget, message: MailMessage, options: { helo?: string; timeoutMs?: number } = {}): Promise<void> {
  for (const address of [message.from, message.to]) {
    if (/[\r\n<>]/.test(address)) throw new SmtpError("mail addresses may not contain line breaks or angle brackets");
  }
  const socket = openSocket(target);
  const talk = new Conversation(socket, options.timeoutMs ?? 15_000);
  const helo = options.helo ?? "ipcraft.localdomain";
  try {
    await talk.step(null, [220]);
    let ehlo: Reply;
    try {
      ehlo = await talk.step(`EHLO ${helo}`, [250]);
    } catch {
      ehlo = await talk.step(`HELO ${helo}`, [250]);
    }
    if (target.user !== undefined) await authenticate(talk, ehlo, target.user, target.password ?? "");
    await talk.step(`MAIL FROM:<${message.from}>`, [250]);
    await talk.step(`RCPT TO:<${message.to}>`, [250, 251]);
    await talk.step("DATA", [354]);
    await talk.step(formatMessage(message), [250], "message");
    await talk.step("QUIT", [221]).catch(() => undefined);
  } finally {
    socket.destroy();
  }
}

async function authenticate(talk: Conversation, ehlo: Reply, user: string, password: string): Promise<void> {
  const mechanisms = ehlo.lines.find((l) => /^AUTH[ =]/i.test(l))?.slice(5).toUpperCase().split(/\s+/) ?? [];
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  if (mechanisms.includes("PLAIN") || mechanisms.length === 0) {
    await talk.step(`AUTH PLAIN ${b64(`\0${user}\0${password}`)}`, [235], "AUTH PLAIN");
  } else if (mechanisms.includes("LOGIN")) {
    await talk.step("AUTH LOGIN", [334]);
    await talk.step(b64(user), [334], "AUTH LOGIN user");
    await talk.step(b64(password), [235], "AUTH LOGIN password");
  } else {
    throw new SmtpError(`mail server offers no AUTH method we speak (${mechanisms.join(", ")})`);
  }
}
