/**
 * The worker side of an API import (import-thread.ts): its own SQLite connection to the
 * server's database file and its own registry, then exactly the import the CLI runs — one
 * transaction, all or nothing. Parsing, checking and writing a large file here keeps the
 * server's event loop free; SQLite's write lock keeps the two connections' writes apart,
 * and WAL lets the server keep reading the last committed state meanwhile. A large split
 * (kind "split") runs here the same way: subnets/split.ts's own write, in one transaction.
 */
import { openDatabase, type OpenDatabase } from "../../db/client";
import { ApiError } from "../../http/errors";
import { IpamRegistry } from "../../ipam/registry";
import { subnetSplitter } from "../subnets/split";
import type { ImportReply, WorkerJob } from "./import-thread";
import { runImportJob } from "./import-thread";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<WorkerJob & { path: string }>) => {
  const { path, ...job } = event.data;
  let reply: ImportReply;
  let database: OpenDatabase | undefined;
  try {
    database = openDatabase(path, { migrate: false });
    // Logged: the server replays this write instead of rebuilding the organization.
    const registry = IpamRegistry.load(database, job.orgId, { logChanges: true });
    const result = job.kind === "split" ? await subnetSplitter({ database, registry }).runJob(job) : await runImportJob({ database, registry }, job);
    reply = { ok: true, result };
  } catch (error) {
    reply =
      error instanceof ApiError
        ? { ok: false, code: error.code, message: error.message, details: error.details }
        : { ok: false, crash: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    database?.sqlite.close();
  }
  postMessage(reply);
};
