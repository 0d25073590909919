/**
 * What `diffArtifacts` compares: an artifact listed member by member with the sha256 of each
 * member's content and the stored fields two builds of one commit can disagree on. Plain data;
 * adapters/archives/list-members.ts produces it from a wheel or an sdist in one streaming pass.
 */
import type { GzipHeader } from "../archive/gzip-header.ts";
import type { MemberKind } from "./artifact.ts";

export interface MemberOwner {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

/** ZIP entry fields that change an archive's bytes without changing the member's content. */
export interface ZipEntryInfo {
  method: number;
  flags: number;
  versionMadeBy: number;
  externalAttr: number;
  compressedSize: number;
  /** mtime from an extended-timestamp extra field (0x5455), when there is one. */
  extendedMtime?: number;
  /** Extra fields as hex: the central directory's and the local header's. */
  centralExtra: string;
  localExtra: string;
}

export interface ListedMember {
  name: string;
  kind: MemberKind;
  /** Content bytes as read. */
  size: number;
  /** Permission bits (st_mode & 0o7777), when the archive records them. */
  mode?: number;
  /** Seconds since the epoch as stored (tar: header or pax; zip: the DOS fields read as UTC). */
  mtime?: number;
  /** sha256 (hex) of the content; that of no bytes for dirs, tar links, devices and sparse files. */
  sha256: string;
  /** tar links only (a ZIP symlink's target is its content). */
  linkTarget?: string;
  /** tar only. */
  owner?: MemberOwner;
  /** ZIP only. */
  zip?: ZipEntryInfo;
}

export interface ZipContainer {
  format: "zip";
  /** The archive comment, decoded as UTF-8. */
  comment: string;
}

export interface TarGzContainer {
  format: "tar.gz";
  gzip: GzipHeader;
  /** Size and sha256 (hex) of the uncompressed tar stream. */
  tarSize: number;
  tarSha256: string;
}

export interface ArchiveListing {
  /** Size and sha256 (hex) of the artifact file. */
  size: number;
  sha256: string;
  container: ZipContainer | TarGzContainer;
  /** In archive order: the ZIP central directory's, the tar stream's. */
  members: ListedMember[];
}
