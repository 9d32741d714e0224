/**
 * `/import`: export buttons, and importing a CSV in three steps, all keyboard-reachable:
 *   1. choose what the file holds (addresses or subnets) and the file;
 *   2. check the columns: each of the file's columns maps to one of the server's or is
 *      ignored (with a warning); the delimiter (, ; tab) is detected and can be changed;
 *   3. "Check file" sends a dry run and shows every bad row; "Import" writes it, all or nothing.
 * The page writes the server's standard CSV from the mapping (status values lowercased), so
 * the import endpoints keep their one strict format; row numbers in the server's answer are
 * translated back to the rows of the user's file.
 */
import { canWrite } from "../access";
import { csvLine } from "../../features/io/csv";
import { ApiFailure, apiCsv, messageOf } from "../api";
import { ADDRESS_COLUMNS, detectDelimiter, guessMapping, normaliseCell, readRecords, SUBNET_COLUMNS, type Delimiter, type FileRecord } from "../csv-read";
import { focusIfLost, h, mount, select, stackable, toast } from "../dom";
import { plural } from "../format";
import { forget, knownSections } from "../subnet-cache";

type Kind = "addresses" | "subnets";

interface ImportAnswer {
  dry_run: boolean;
  rows: number;
  created: Record<string, number>;
}

const DELIMITERS: [Delimiter, string][] = [
  [",", "comma (,)"],
  [";", "semicolon (;)"],
  ["\t", "tab"],
];

export function importPage(container: HTMLElement): void {
  document.title = "Import and export · IPCraft";
  let text = "";
  let fileName = "";
  let records: FileRecord[] = [];
  let mapping: string[] = [];
  /** the dry run passed for exactly this body */
  let checkedBody: string | null = null;

  const kind = select("kind", [
    ["addresses", "Addresses (ip, hostname, status, …)"],
    ["subnets", "Subnets (cidr, name, folder, …)"],
  ]);
  kind.id = "import-kind";
  const file = h("input", { type: "file", id: "import-file", name: "file", accept: ".csv,.tsv,.txt,text/csv,text/plain" });
  const delimiter = select("delimiter", DELIMITERS);
  delimiter.id = "import-delimiter";
  const mappingRegion = h("div", { class: "mapping-region" });
  const result = h("div", { class: "import-result", role: "status", "aria-live": "polite" });
  const check = h("button", { type: "button", class: "primary", disabled: true }, "Check file");
  const run = h("button", { type: "button", disabled: true }, "Import");

  const columnsOf = (): readonly string[] => (kind.value === "subnets" ? SUBNET_COLUMNS : ADDRESS_COLUMNS);

  const parse = () => {
    records = readRecords(text, delimiter.value as Delimiter);
    mapping = records[0] ? guessMapping(records[0].cells, columnsOf()) : [];
    checkedBody = null;
    drawMapping();
  };

  function drawMapping(): void {
    run.disabled = true;
    mount(result);
    const header = records[0];
    if (!header) {
      mount(mappingRegion, text ? h("p", { class: "error", role: "alert" }, "The file has no rows.") : null);
      check.disabled = true;
      return;
    }
    const columns = columnsOf();
    const sample = records[1]?.cells ?? [];
    const rows = header.cells.map((name, i) => {
      const choice = select(`map-${i}`, [["", "(ignore this column)"], ...columns.map((c): [string, string] => [c, c === "section" ? "folder" : c])], mapping[i] ?? "");
      choice.setAttribute("aria-label", `Column “${name}” imports as`);
      choice.addEventListener("change", () => {
        // One file column per server column: taking a column from another frees that one.
        for (let j = 0; j < mapping.length; j++) if (j !== i && mapping[j] === choice.value && choice.value) mapping[j] = "";
        mapping[i] = choice.value;
        checkedBody = null;
        drawMapping();
      });
      return h("tr", null, h("td", null, name), h("td", { class: "muted" }, sample[i] ?? ""), h("td", null, choice));
    });
    const ignored = header.cells.filter((_, i) => !mapping[i]);
    const required = columns[0]!;
    const missing = !mapping.includes(required);
    mount(
      mappingRegion,
      h("h3", null, "Columns"),
      h("p", { class: "muted" }, `${fileName}: ${plural(records.length - 1, "row")} after the header, ${DELIMITERS.find(([d]) => d === delimiter.value)![1]} separated.`),
      h("div", { class: "table-wrap" }, stackable(h("table", { class: "mapping" }, h("thead", null, h("tr", null, ["In the file", "First row", "Imports as"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", null, rows)))),
      ignored.length ? h("p", { class: "warning", role: "note" }, `Ignored: ${ignored.map((c) => `“${c}”`).join(", ")}. ${ignored.length === 1 ? "This column is" : "These columns are"} not imported.`) : null,
      missing ? h("p", { class: "error", role: "alert" }, `Choose the column that holds “${required}”: it is required.`) : null,
    );
    check.disabled = missing;
  }

  /** The standard CSV for the server, and which file row each of its rows came from. */
  const build = (): { body: string; fileRows: number[] } => {
    const used = mapping.map((c, i) => [c, i] as const).filter(([c]) => c);
    let body = csvLine(used.map(([c]) => c));
    const fileRows = [1];
    for (const record of records.slice(1)) {
      body += csvLine(used.map(([c, i]) => normaliseCell(c, record.cells[i] ?? "")));
      fileRows.push(record.row);
    }
    return { body, fileRows };
  };

  const send = async (dryRun: boolean) => {
    const { body, fileRows } = build();
    check.disabled = run.disabled = true;
    mount(result, h("p", { class: "muted" }, dryRun ? "Checking…" : "Importing…"));
    try {
      const answer = await apiCsv<ImportAnswer>(`/api/v1/import/${kind.value}${dryRun ? "?dry_run=true" : ""}`, body);
      const made = Object.entries(answer.created).filter(([, n]) => n > 0).map(([what, n]) => `${n.toLocaleString("en-US")} ${what === "sections" ? "folders" : what}`).join(", ") || "nothing new";
      if (dryRun) {
        checkedBody = body;
        mount(result, h("p", { class: "import-ok" }, `All ${plural(answer.rows, "row")} can be imported: ${made}.`), h("p", { class: "muted" }, "Nothing is written until you press Import."));
        run.disabled = false;
        run.focus();
      } else {
        checkedBody = null;
        mount(result, h("p", { class: "import-ok" }, `Imported ${plural(answer.rows, "row")}: ${made}.`));
        toast(`Imported ${plural(answer.rows, "row")} from ${fileName}`);
        forget({ folderList: true, roots: true, sections: knownSections().map((s) => s.id) });
      }
    } catch (failure) {
      const rows = failure instanceof ApiFailure ? (failure.details?.rows as { row: number; error: string }[] | undefined) : undefined;
      if (rows?.length) {
        mount(
          result,
          h("p", { class: "error", role: "alert" }, `Nothing ${dryRun ? "would be" : "was"} imported: ${plural(rows.length, "bad row")}. Fix them in the file and choose it again.`),
          h(
            "div",
            { class: "table-wrap" },
            stackable(
              h(
                "table",
                { class: "bad-rows" },
                h("thead", null, h("tr", null, ["Row", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
                h("tbody", null, rows.map((r) => h("tr", null, h("td", null, String(fileRows[r.row - 1] ?? r.row)), h("td", null, r.error)))),
              ),
            ),
          ),
        );
      } else mount(result, h("p", { class: "error", role: "alert" }, messageOf(failure)));
    } finally {
      check.disabled = !mapping.includes(columnsOf()[0]!);
      // The pressed button was disabled while the request ran, which dropped focus to <body>:
      // a keyboard user lands on the answer (its first line), then Tab goes on to the bad rows.
      const answerLine = result.querySelector<HTMLElement>("p");
      answerLine?.setAttribute("tabindex", "-1");
      focusIfLost(answerLine);
    }
  };

  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    fileName = chosen.name;
    text = await chosen.text();
    delimiter.value = detectDelimiter(text);
    parse();
  });
  delimiter.addEventListener("change", parse);
  kind.addEventListener("change", parse);
  check.addEventListener("click", () => void send(true));
  run.addEventListener("click", () => {
    if (checkedBody !== build().body) return;
    void send(false);
  });

  const download = (href: string, label: string) => h("a", { href, download: "", class: "button" }, label);
  mount(
    container,
    h("h1", { tabindex: "-1" }, "Import and export"),
    h(
      "section",
      { class: "card", "aria-labelledby": "export-heading" },
      h("h2", { id: "export-heading" }, "Export"),
      h("p", { class: "muted" }, "Everything in your organization, as the import reads it back."),
      h("div", { class: "actions" }, download("/api/v1/export/subnets.csv", "Subnets (CSV)"), download("/api/v1/export/addresses.csv", "Addresses (CSV)"), download("/api/v1/export.json", "Everything (JSON)")),
    ),
    canWrite()
      ? importSection()
      : h("section", { class: "card", "aria-labelledby": "import-heading" }, h("h2", { id: "import-heading" }, "Import a CSV"), h("p", { class: "muted" }, "Importing records needs write access: your role (viewer) can export only.")),
  );

  function importSection(): HTMLElement {
    return h(
      "section",
      { class: "card import-steps", "aria-labelledby": "import-heading" },
      h("h2", { id: "import-heading" }, "Import a CSV"),
      h("p", { class: "muted" }, "Comma, semicolon or tab separated, with a header row. Columns with other names can be matched below; status values in any case. Nothing is written until the check passes and you press Import; then all rows or none."),
      h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: "import-kind" }, "The file holds"), kind), h("div", { class: "field" }, h("label", { for: "import-file" }, "CSV file"), file), h("div", { class: "field" }, h("label", { for: "import-delimiter" }, "Separator"), delimiter)),
      mappingRegion,
      h("div", { class: "actions" }, check, run),
      result,
    );
  }
}
