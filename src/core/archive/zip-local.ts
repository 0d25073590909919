/**
 * Local file headers against the central directory: a streaming reader (pip's competitors,
 * unzip -t, some scanners) sees the local headers, zipfile sees the central directory; PyPI
 * refuses archives where the two disagree ([WHZ] `_handle_local_file_header`).
 */
import { pushAll } from "../arrays.ts";
import { bytesEqual, decodeUtf8Lenient, u64 } from "./binary.ts";
import { type ArchiveIssue, issue, quote } from "./issues.ts";
import { checkExtras } from "./zip-layout.ts";
import {
  type CentralEntry,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  type LocalHeader,
  parseExtras,
} from "./zip-records.ts";

/** The sizes a streaming reader takes from a local header, with warehouse's ZIP64 rules. */
export function localSizes(
  header: LocalHeader,
  extra: Uint8Array,
): { compressedSize: number; size: number; problem?: string } {
  let compressedSize = header.compressedSize;
  let size = header.size;
  for (const field of parseExtras(extra).fields) {
    if (field.id !== EXTRA_ZIP64) continue;
    const length = field.data.length;
    if (![0, 8, 16, 24, 28].includes(length)) {
      return { compressedSize, size, problem: `ZIP64 extra field has an invalid length ${length}` };
    }
    if (length === 0) {
      if (compressedSize === 0xffffffff || size === 0xffffffff) {
        return { compressedSize, size, problem: "ZIP64 extra field is empty but the sizes say it is needed" };
      }
    } else if (length === 8) {
      // Only the uncompressed size: valid for stored members, whose two sizes are equal.
      if (header.method !== 0) {
        return { compressedSize, size, problem: "ZIP64 extra field gives one size for a compressed member" };
      }
      compressedSize = u64(field.data, 0);
      if (size === 0xffffffff) size = compressedSize;
    } else {
      if (size === 0xffffffff) size = u64(field.data, 0);
      compressedSize = u64(field.data, 8);
    }
  }
  return { compressedSize, size };
}

/** Everything wrong with the local header of `entry` (read at its recorded offset). */
export function checkLocalHeader(
  entry: CentralEntry,
  header: LocalHeader,
  nameBytes: Uint8Array,
  extra: Uint8Array,
): ArchiveIssue[] {
  const member = entry.name;
  const at = (m: string) => `member ${quote(member)}: ${m}`;
  const issues: ArchiveIssue[] = [];
  if (!bytesEqual(nameBytes, entry.nameBytes)) {
    // zipfile compares the two names before reading: "File name in directory and header differ".
    issues.push(
      issue(
        "ART01",
        at(
          `the local header names it ${quote(decodeUtf8Lenient(nameBytes))}; Python's zipfile refuses to read it`,
        ),
        {
          member,
        },
      ),
    );
  }
  pushAll(issues, checkExtras(extra, member, "local header", "error"));
  const descriptor = (header.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  // PyPI looks for bit 3 in the local header; set only in the directory it merely warns.
  if (descriptor) {
    issues.push(issue("ART05", at("uses a data descriptor (general-purpose flag bit 3)"), { member }));
  } else if ((entry.flags & FLAG_DATA_DESCRIPTOR) !== 0) {
    issues.push(
      issue("ART05", at("is flagged as using a data descriptor (bit 3) in the central directory only"), {
        member,
        severity: "warning",
      }),
    );
  }
  if (header.method !== entry.method) {
    issues.push(
      issue(
        "ART05",
        at(
          `compression method ${header.method} in the local header, ${entry.method} in the central directory`,
        ),
        {
          member,
          severity: "warning",
        },
      ),
    );
  }
  const sizes = localSizes(header, extra);
  if (sizes.problem !== undefined) {
    issues.push(issue("ART05", at(sizes.problem), { member }));
  } else if (!descriptor) {
    if (sizes.compressedSize !== entry.compressedSize) {
      issues.push(
        issue(
          "ART05",
          at(
            `compressed size ${sizes.compressedSize} in the local header, ${entry.compressedSize} in the central directory`,
          ),
          { member },
        ),
      );
    }
    if (sizes.size !== entry.size) {
      issues.push(
        issue("ART05", at(`size ${sizes.size} in the local header, ${entry.size} in the central directory`), {
          member,
        }),
      );
    }
    if (header.crc !== entry.crc) {
      issues.push(
        issue("ART05", at("CRC-32 in the local header differs from the central directory"), {
          member,
          severity: "warning",
        }),
      );
    }
  }
  return issues;
}

/** Entries in the order a streaming reader meets them: by local header offset. */
export function walkOrder(entries: readonly CentralEntry[]): CentralEntry[] {
  return [...entries].sort((a, b) => a.offset - b.offset || a.index - b.index);
}

/** Length of the data descriptor after a member's data (APPNOTE 4.3.9), signature optional. */
export function descriptorLength(bytes: Uint8Array, zip64: boolean): number {
  const signed = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x07 && bytes[3] === 0x08;
  return (signed ? 4 : 0) + (zip64 ? 20 : 12);
}
