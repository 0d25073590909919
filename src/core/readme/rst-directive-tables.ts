/**
 * The table directives (docutils parsers/rst/directives/tables.py): `table` wraps exactly one
 * table, `list-table` needs a uniform two-level bullet list, `csv-table` reads CSV content
 * (file and URL sources are disabled on PyPI); all check header rows, stub columns and widths.
 */
import { maxOf } from "../arrays.ts";
import { type CsvDialect, parseCsv } from "./rst-csv.ts";
import { type Call, type DirectiveHost, error, needsContent } from "./rst-directive-host.ts";
import type { RstNode } from "./rst-doc.ts";
import { pythonInt } from "./rst-options.ts";

/** `.. table::` wraps exactly one grid or simple table. */
export function table(host: DirectiveHost, call: Call): RstNode[] {
  if (!needsContent(host, call)) return [];
  if (call.args[0] !== undefined) host.inline(call.args[0], call.line);
  const holder: RstNode = { kind: "table_holder", line: call.line, children: [] };
  host.body(call.content, holder);
  const kinds = holder.children!.filter((c) => c.kind !== "system_message");
  if (kinds.length !== 1 || kinds[0]!.kind !== "table") {
    return error(
      host,
      call,
      `Error parsing content block for the "${call.name}" directive: exactly one table expected.`,
    );
  }
  return [{ kind: "table", line: call.line }];
}

/** Table.check_table_dimensions and get_column_widths of docutils' table directives. */
function tableShape(host: DirectiveHost, call: Call, rows: number[]): RstNode[] | undefined {
  const headerRows = pythonInt(call.options.get("header-rows")) ?? 0;
  const stubColumns = pythonInt(call.options.get("stub-columns")) ?? 0;
  const name = call.name;
  if (rows.length < headerRows) {
    return error(
      host,
      call,
      `${headerRows} header row(s) specified but only ${rows.length} row(s) of data supplied ("${name}" directive).`,
    );
  }
  if (rows.length === headerRows && headerRows > 0) {
    return error(
      host,
      call,
      `Insufficient data supplied (${rows.length} row(s)); no data remaining for table body, required by "${name}" directive.`,
    );
  }
  for (const columns of rows) {
    if (columns < stubColumns) {
      return error(
        host,
        call,
        `${stubColumns} stub column(s) specified but only ${columns} columns(s) of data supplied ("${name}" directive).`,
      );
    }
    if (columns === stubColumns && stubColumns > 0) {
      return error(
        host,
        call,
        `Insufficient data supplied (${columns} columns(s)); no data remaining for table body, required by "${name}" directive.`,
      );
    }
  }
  const maxColumns = Math.max(0, maxOf(rows));
  const widths = call.options.get("widths")?.trim();
  if (widths !== undefined && widths !== "auto" && widths !== "grid") {
    const count = (widths.includes(",") ? widths.split(",") : widths.split(/\s+/u)).length;
    if (count !== maxColumns) {
      return error(
        host,
        call,
        `"${name}" widths do not match the number of columns in table (${maxColumns}).`,
      );
    }
  } else if (maxColumns === 0) {
    return error(host, call, "No table data detected in CSV file.");
  }
  return undefined;
}

export function listTable(host: DirectiveHost, call: Call): RstNode[] {
  if (call.content.length === 0)
    return error(host, call, `The "${call.name}" directive is empty; content required.`);
  if (call.args[0] !== undefined) host.inline(call.args[0], call.line);
  const holder: RstNode = { kind: "list_table", line: call.line, children: [] };
  host.body(call.content, holder);
  const prefix = `Error parsing content block for the "${call.name}" directive: `;
  const kids = holder.children!;
  if (kids.length !== 1 || kids[0]!.kind !== "bullet_list") {
    return error(host, call, `${prefix}exactly one bullet list expected.`);
  }
  const counts: number[] = [];
  for (const [index, item] of (kids[0]!.children ?? []).entries()) {
    const inner = item.children ?? [];
    if (inner.length !== 1 || inner[0]!.kind !== "bullet_list") {
      return error(
        host,
        call,
        `${prefix}two-level bullet list expected, but row ${index + 1} does not contain a second-level bullet list.`,
      );
    }
    const count = inner[0]!.children?.length ?? 0;
    if (index > 0 && count !== counts[0]) {
      return error(
        host,
        call,
        `${prefix}uniform two-level bullet list expected, but row ${index + 1} does not contain the same number of items as row 1 (${count} vs ${counts[0]}).`,
      );
    }
    counts.push(count);
  }
  return tableShape(host, call, counts) ?? [{ kind: "table", line: call.line }];
}

export function csvTable(host: DirectiveHost, call: Call): RstNode[] {
  if (call.options.has("file") || call.options.has("url")) {
    host.doc.report(
      "warning",
      call.line,
      `File and URL access deactivated; ignoring "${call.name}" directive.`,
    );
    return [{ kind: "system_message", line: call.line }];
  }
  if (call.content.length === 0) {
    host.doc.report("warning", call.line, `The "${call.name}" directive requires content; none supplied.`);
    return [{ kind: "system_message", line: call.line }];
  }
  if (call.args[0] !== undefined) host.inline(call.args[0], call.line);
  const delim = call.options.get("delim");
  const dialect: CsvDialect = {
    delimiter: delim === "tab" ? "\t" : delim === "space" ? " " : (delim ?? ","),
    quote: call.options.get("quote") ?? '"',
    skipInitialSpace: !call.options.has("keepspace"),
    ...(call.options.has("escape") ? { escape: call.options.get("escape") ?? "" } : {}),
  };
  const header = call.options.get("header");
  const head = header === undefined ? { rows: [] } : parseCsv(header.split("\n"), dialect);
  const body = parseCsv(
    call.content.map((l) => l.text),
    dialect,
  );
  if ("error" in head || "error" in body) {
    const message = "error" in head ? head.error : "error" in body ? body.error : "";
    return error(host, call, `Error with CSV data in "${call.name}" directive:\n${message}`);
  }
  const shape = tableShape(
    host,
    call,
    body.rows.map((r) => r.length),
  );
  if (shape) return shape;
  const cell: RstNode = { kind: "entry", line: call.line, children: [] };
  for (const row of [...head.rows, ...body.rows]) {
    for (const text of row) {
      host.body(
        text.split("\n").map((t) => ({ text: t, line: call.line })),
        cell,
      );
    }
  }
  return [{ kind: "table", line: call.line }];
}
