/**
 * The real programs that read the generated files (named-checkzone, dnsmasq, kea-dhcp4/6,
 * dhcpd, ansible-inventory), run on a file in a temporary folder. A missing program FAILS
 * the test (never a skip): `scripts/ensure-tools --test` installs them.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { tempDir } from "../helpers/tmp";
import { join } from "node:path";

const PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/bin`;

export function tool(name: string): string {
  const found = Bun.which(name, { PATH });
  if (!found) throw new Error(`${name} is not installed: run scripts/ensure-tools --test (as root) to install the DNS/DHCP checkers`);
  return found;
}

const dir = tempDir("ipcraft-dns-dhcp");
let n = 0;

/** Writes `text` to a fresh file and returns its path. */
export function fileWith(text: string, name = "file"): string {
  const path = join(dir, `${++n}-${name}`);
  writeFileSync(path, text);
  return path;
}

export interface Run {
  code: number;
  /** stdout and stderr */
  out: string;
  stdout: string;
}

export function run(argv: string[], env: Record<string, string> = {}): Run {
  const p = Bun.spawnSync(argv, { env: { ...process.env, PATH, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, out: p.stdout.toString() + p.stderr.toString(), stdout: p.stdout.toString() };
}

/** `run` without blocking the event loop: for programs that call a server in this process. */
export async function runAsync(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const p = Bun.spawn(argv, { env: { ...process.env, PATH, ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: stdout + stderr, stdout };
}

/** named-checkzone with check-names, MX/NS/SRV integrity and everything else set to fail. */
export function checkZone(zone: string, text: string): Run {
  return run([tool("named-checkzone"), "-k", "fail", "-n", "fail", "-m", "fail", "-M", "fail", "-S", "fail", "-i", "full", zone, fileWith(text, "zone")]);
}

export function checkDnsmasq(text: string): Run {
  return run([tool("dnsmasq"), "--test", `--conf-file=${fileWith(text, "dnsmasq.conf")}`]);
}

export function checkKea(family: 4 | 6, text: string): Run {
  return run([tool(family === 4 ? "kea-dhcp4" : "kea-dhcp6"), "-t", fileWith(text, "kea.json")]);
}

export function checkDhcpd(family: 4 | 6, text: string): Run {
  const leases = fileWith("", "leases");
  return run([tool("dhcpd"), family === 4 ? "-4" : "-6", "-t", "-cf", fileWith(text, "dhcpd.conf"), "-lf", leases]);
}

/**
 * dnsmasq loading the file as an extra hosts file (`addn-hosts`), the way a hosts file is
 * served: it logs "read <file> - N names" and "bad name at <file> line N" for names it
 * refuses. Runs on a loopback port just long enough to read the file.
 */
export async function loadHostsWithDnsmasq(text: string): Promise<{ names: number; out: string }> {
  const file = fileWith(text, "hosts");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const p = Bun.spawn(
    [tool("dnsmasq"), "--keep-in-foreground", "--log-facility=-", "--no-resolv", "--no-hosts", `--addn-hosts=${file}`,
      `--port=${port}`, "--listen-address=127.0.0.1", "--bind-interfaces", "--conf-file=/dev/null", "--pid-file=", "--user=root"],
    { env: { ...process.env, PATH }, stdout: "pipe", stderr: "pipe" },
  );
  let out = "";
  const reader = p.stderr.getReader();
  const deadline = Date.now() + 20_000;
  while (!/read .* - \d+ names/.test(out) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(200).then(() => null)]);
    if (chunk && !chunk.done) out += new TextDecoder().decode(chunk.value);
    if (chunk?.done) break;
  }
  p.kill();
  await p.exited;
  const match = /read .* - (\d+) names/.exec(out);
  return { names: match ? Number(match[1]) : -1, out };
}

/** `ansible-inventory -i <script> --list` where the script prints `json`; returns the parsed inventory. */
export function ansibleList(json: string): { code: number; out: string; inventory?: any } {
  const data = fileWith(json, "inventory.json");
  const script = fileWith(`#!/bin/sh\ncat '${data}'\n`, "inventory.sh");
  chmodSync(script, 0o755);
  const result = run([tool("ansible-inventory"), "-i", script, "--list"], {
    ANSIBLE_INVENTORY_ENABLED: "script",
    ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: "true",
    ANSIBLE_LOCAL_TEMP: dir,
    ANSIBLE_HOME: dir,
    ANSIBLE_NOCOLOR: "1",
  });
  let inventory: any;
  try {
    inventory = JSON.parse(result.stdout);
  } catch {
    inventory = undefined;
  }
  return { ...result, inventory };
}
