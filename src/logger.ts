/**
 * Plain one-line logs on stdout: `<iso time> <level> <message> key=value ...`.
 * Callers pass only safe fields; nothing here inspects or redacts, so never hand it a
 * header, a query string, a body, a token or a key.
 *
 * The server's logger is buffered (createBufferedLogger): one write per request was a
 * syscall on the request path (~8 µs each under load); lines are now written together
 * every FLUSH_MS, at once for warnings and errors, and when the process exits.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function formatValue(value: string | number | boolean | null | undefined): string {
  const text = String(value);
  return /^[\w.:/@+-]*$/.test(text) && text !== "" ? text : JSON.stringify(text);
}

export function createLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const log = (level: string) => (message: string, fields: LogFields = {}) => {
    let line = `${new Date().toISOString()} ${level} ${message}`;
    for (const key in fields) {
      const value = fields[key];
      if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
    }
    write(line);
  };
  return { info: log("info"), warn: log("warn"), error: log("error") };
}

/** How long an info line may wait in the buffer. */
export const FLUSH_MS = 50;
/** Lines written at once at most; a fuller buffer is flushed without waiting for the timer. */
const MAX_BUFFERED_LINES = 256;

/**
 * A logger whose lines reach `write` in batches (joined by newlines: one call per batch):
 * info lines wait up to FLUSH_MS; a warning or an error flushes everything before it at
 * once, in order; the process's exit flushes the rest (normal shutdown loses nothing; a
 * SIGKILL may lose the last FLUSH_MS of access lines).
 */
export function createBufferedLogger(write: (text: string) => void = (text) => console.log(text)): Logger & { flush(): void } {
  let lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0) return;
    const batch = lines;
    lines = [];
    write(batch.join("\n"));
  };
  process.once("exit", flush);
  const buffered = createLogger((line) => {
    lines.push(line);
    if (lines.length >= MAX_BUFFERED_LINES) flush();
    else if (!timer) {
      timer = setTimeout(flush, FLUSH_MS);
      (timer as { unref?: () => void }).unref?.();
    }
  });
  const now = (log: Logger["warn"]): Logger["warn"] => (message, fields) => {
    log(message, fields);
    flush();
  };
  return { info: buffered.info, warn: now(buffered.warn), error: now(buffered.error), flush };
}

/** A logger that keeps its lines, for tests that assert what was (and was not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger((line) => lines.push(line)), { lines });
}
