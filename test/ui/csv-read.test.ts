/**
 * The browser's CSV reading before an import (src/ui/csv-read.ts). Before it, a spreadsheet's
 * semicolon or tab file, its own headers ("IP Address") and "Reserved" in capitals were all
 * refused by the server's strict reader with no way to fix them in the app.
 */
import { describe, expect, test } from "bun:test";
import { ADDRESS_COLUMNS, detectDelimiter, guessMapping, normaliseCell, readRecords, SUBNET_COLUMNS } from "../../src/ui/csv-read";

describe("csv-read", () => {
  test("detects , ; and tab from the header line, ignoring quoted ones", () => {
    expect(detectDelimiter("ip,hostname\n10.0.0.1;x;y;z")).toBe(",");
    expect(detectDelimiter("IP Address;Host Name;Status\n")).toBe(";");
    expect(detectDelimiter("Address\tName\n")).toBe("\t");
    expect(detectDelimiter('"a;b;c",d\n')).toBe(",");
  });

  test("reads quoted cells, doubled quotes, CRLF and a BOM; blank lines skipped but counted", () => {
    const records = readRecords('\ufeffip;description\r\n10.0.0.1;"a; ""quoted"" one"\r\n\r\n10.0.0.2;"two\nlines"\r\n', ";");
    expect(records).toEqual([
      { row: 1, cells: ["ip", "description"] },
      { row: 2, cells: ["10.0.0.1", 'a; "quoted" one'] },
      { row: 4, cells: ["10.0.0.2", "two\nlines"] },
    ]);
  });

  test("guesses columns from common headers, each once; unknown ones are left unmapped", () => {
    expect(guessMapping(["IP Address", "Host Name", "Status", "MAC Address", "Rack", "Notes"], ADDRESS_COLUMNS)).toEqual(["ip", "hostname", "status", "mac", "", "description"]);
    expect(guessMapping(["Subnet", "Name", "Folder", "VLAN ID"], SUBNET_COLUMNS)).toEqual(["cidr", "name", "section", "vlan"]);
    // A phpIPAM address export's headers.
    expect(guessMapping(["IP address", "Hostname", "Description", "MAC address", "Tag", "Owner"], ADDRESS_COLUMNS)).toEqual(["ip", "hostname", "description", "mac", "status", "owner"]);
    // An exact name wins over a synonym seen earlier: "name" is the subnet's name, not "Title".
    expect(guessMapping(["Title", "name", "cidr"], SUBNET_COLUMNS)).toEqual(["", "name", "cidr"]);
  });

  test("status values in any case become the API's", () => {
    expect(normaliseCell("status", " Reserved ")).toBe("reserved");
    // phpIPAM's address tags.
    expect(["Used", "Offline", "Reserved", "DHCP"].map((tag) => normaliseCell("status", tag))).toEqual(["assigned", "reserved", "reserved", "dhcp"]);
    expect(normaliseCell("status", "Active")).toBe("assigned");
    expect(normaliseCell("hostname", "Web-01")).toBe("Web-01");
  });
});
