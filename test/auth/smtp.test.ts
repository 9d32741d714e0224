import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { parseSmtpUrl, sendMail, SmtpError } from "../../src/auth/smtp";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

interface FakeSmtp {
  port: number;
  /** every line the client sent, in order */
  commands: string[];
  /** the DATA payloads received */
  messages: string[];
  /** resolves when the next message has been accepted */
  nextMessage(): Promise<string>;
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A tiny SMTP server on 127.0.0.1 that accepts anything and records the conversation. */
async function fakeSmtp(options: { auth?: string; refuseRcpt?: boolean } = {}): Promise<FakeSmtp> {
  const commands: string[] = [];
  const messages: string[] = [];
  let waiters: ((m: string) => void)[] = [];
  const server = createServer((socket) => {
    let buffer = "";
    let inData = false;
    let data: string[] = [];
    let authStep = "";
    socket.write("220 fake.smtp ESMTP ready\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let eol: number;
      while ((eol = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            const message = data.join("\r\n");
            messages.push(message);
            socket.write("250 2.0.0 queued\r\n");
            for (const w of waiters) w(message);
            waiters = [];
          } else data.push(line);
          continue;
        }
        commands.push(line);
        const verb = line.split(" ")[0]!.toUpperCase();
        if (authStep === "user") {
          authStep = "pass";
          socket.write("334 UGFzc3dvcmQ6\r\n");
        } else if (authStep === "pass") {
          authStep = "";
          socket.write("235 2.7.0 ok\r\n");
        } else if (verb === "EHLO") socket.write(`250-fake.smtp\r\n250-AUTH ${options.auth ?? "PLAIN LOGIN"}\r\n250 8BITMIME\r\n`);
        else if (verb === "AUTH" && line.toUpperCase() === "AUTH LOGIN") {
          authStep = "user";
          socket.write("334 VXNlcm5hbWU6\r\n");
        } else if (verb === "AUTH") socket.write("235 2.7.0 ok\r\n");
        else if (verb === "MAIL") socket.write("250 ok\r\n");
        else if (verb === "RCPT") socket.write(options.refuseRcpt ? "550 no such user\r\n" : "250 ok\r\n");
        else if (verb === "DATA") {
          inData = true;
          data = [];
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") {
          socket.write("221 bye\r\n");
          socket.end();
        } else socket.write("502 not implemented\r\n");
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { port, commands, messages, nextMessage: () => new Promise((resolve) => waiters.push(resolve)) };
}

describe("the SMTP client", () => {
  test("EHLO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA with dot-stuffing", async () => {
    const smtp = await fakeSmtp();
    const target = parseSmtpUrl(`smtp://mailer%40lan:p%40ss@127.0.0.1:${smtp.port}?from=ipam@example.org`);
    expect(target).toMatchObject({ user: "mailer@lan", password: "p@ss", from: "ipam@example.org", tls: false });
    await sendMail(target, { from: "ipam@example.org", to: "alice@example.org", subject: "Hi", text: "line one\n.starts with a dot" });
    expect(smtp.commands[0]).toMatch(/^EHLO /);
    expect(smtp.commands[1]).toBe(`AUTH PLAIN ${Buffer.from("\0mailer@lan\0p@ss").toString("base64")}`);
    expect(smtp.commands.slice(2, 5)).toEqual(["MAIL FROM:<ipam@example.org>", "RCPT TO:<alice@example.org>", "DATA"]);
    expect(smtp.commands.at(-1)).toBe("QUIT");
    const message = smtp.messages[0]!;
    expect(message).toContain("To: alice@example.org");
    expect(message).toContain("Subject: Hi");
    expect(message).toContain("\r\n\r\nline one\r\n..starts with a dot");
  });

  test("AUTH LOGIN when the server offers only LOGIN", async () => {
    const smtp = await fakeSmtp({ auth: "LOGIN" });
    await sendMail(parseSmtpUrl(`smtp://bob:secret@127.0.0.1:${smtp.port}`), { from: "a@b.c", to: "d@e.f", subject: "s", text: "t" });
    expect(smtp.commands.slice(1, 4)).toEqual(["AUTH LOGIN", Buffer.from("bob").toString("base64"), Buffer.from("secret").toString("base64")]);
    expect(smtp.messages).toHaveLength(1);
  });

  test("a refusal rejects with the server's answer, without the password", async () => {
    const smtp = await fakeSmtp({ refuseRcpt: true });
    const sending = sendMail(parseSmtpUrl(`smtp://bob:hunter2@127.0.0.1:${smtp.port}`), { from: "a@b.c", to: "d@e.f", subject: "s", text: "t" });
    await expect(sending).rejects.toThrow(SmtpError);
    await expect(sending).rejects.toThrow(/RCPT.*550/);
    await expect(sending).rejects.not.toThrow(/hunter2/);
  });

  test("no server listening → SmtpError, not a hang", async () => {
    const smtp = await fakeSmtp();
    servers.pop()!.close();
    await Bun.sleep(10);
    const sending = sendMail(parseSmtpUrl(`smtp://127.0.0.1:${smtp.port}`), { from: "a@b.c", to: "d@e.f", subject: "s", text: "t" }, { timeoutMs: 2000 });
    await expect(sending).rejects.toThrow(SmtpError);
  });
});

describe("send-link with --smtp-url", () => {
  test("the link is mailed to the user and not written to the log", async () => {
    const smtp = await fakeSmtp();
    const t = testApp({ smtpUrl: `smtp://127.0.0.1:${smtp.port}?from=ipam@example.org`, publicUrl: "https://ipam.example.org" });
    const tenant = createTenant(t.database);
    const arrived = smtp.nextMessage();
    const r = await t.call("POST", "/api/v1/auth/send-link", { body: { email: tenant.email } });
    expect(r.body).toEqual({ message: "magic link sent" });
    const message = await arrived;
    const token = /https:\/\/ipam\.example\.org\/auth\/verify\?token=([A-Za-z0-9]+)/.exec(message)?.[1];
    expect(token).toBeDefined();
    expect(smtp.commands).toContain(`RCPT TO:<${tenant.email}>`);
    // the "mailed" line is written once the relay has answered QUIT; wait for it (bounded)
    for (let i = 0; i < 200 && !t.logger.lines.some((l) => l.includes("sign-in link mailed")); i++) await Bun.sleep(10);
    expect(t.logger.lines.join("\n")).not.toContain(token!);
    expect(t.logger.lines.join("\n")).toContain("sign-in link mailed");
    const verified = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(verified.status).toBe(200);
  });

  test("signup closed: nothing is mailed for an unknown email", async () => {
    const smtp = await fakeSmtp();
    const t = testApp({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
    const tenant = createTenant(t.database);
    const arrived = smtp.nextMessage();
    await t.call("POST", "/api/v1/auth/send-link", { body: { email: "nobody@example.org" } });
    await t.call("POST", "/api/v1/auth/send-link", { body: { email: tenant.email } });
    await arrived;
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.commands.filter((c) => c.startsWith("RCPT"))).toEqual([`RCPT TO:<${tenant.email}>`]);
  });
});

describe("invite with --smtp-url", () => {
  test("the answer says the link went by email (delivery: email), and it arrives", async () => {
    const smtp = await fakeSmtp();
    const t = testApp({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
    const owner = createTenant(t.database);
    const arrived = smtp.nextMessage();
    const r = await t.call("POST", "/api/v1/users/invite", { headers: owner.browser, body: { email: "guest@example.org" } });
    expect(r.status).toBe(201);
    expect(r.body.delivery).toBe("email");
    expect(await arrived).toContain("/auth/verify?token=");
    expect(smtp.commands).toContain("RCPT TO:<guest@example.org>");
  });
});
