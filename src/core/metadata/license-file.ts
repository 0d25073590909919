/**
 * License-File values ([CM], PEP 639): resolved relative paths with `/` separators, as
 * packaging.metadata `_process_license_files` checks them.
 */

/**
 * What pathlib.PureWindowsPath(path).as_posix() gives: separators unified to `/`, empty and `.`
 * segments dropped. packaging refuses any path that this changes.
 */
function windowsAsPosix(path: string): string {
  const drive = /^[A-Za-z]:/.exec(path)?.[0] ?? "";
  const rest = path.slice(drive.length);
  const rooted = /^[\\/]/.test(rest);
  const parts = rest.split(/[\\/]/).filter((p) => p !== "" && p !== ".");
  const joined = `${drive}${rooted ? "/" : ""}${parts.join("/")}`;
  return joined === "" ? "." : joined;
}

/** The reason packaging refuses a License-File value, or undefined when it is accepted. */
export function licenseFileProblem(path: string): string | undefined {
  if (path.includes("..")) return "must not contain `..`";
  if (path.includes("*")) return "must be a resolved path, not a glob";
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || /^[\\/]{2}[^\\/]+[\\/][^\\/]+/.test(path)) {
    return "must be a relative path";
  }
  if (windowsAsPosix(path) !== path) {
    return path.includes("\\")
      ? "must use `/` as the separator"
      : "must be a plain path (no empty or `.` segments)";
  }
  return undefined;
}
