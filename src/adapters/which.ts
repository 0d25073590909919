/** Finding executables the way a shell does, before spawning them. */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** True for an existing regular file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A command name looked up on the PATH of `env`, or a path (anything with a `/`) taken as it is,
 * relative to `cwd` when given. Undefined when there is no such executable.
 */
export function which(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd?: string,
): string | undefined {
  if (command.includes("/")) {
    const path = isAbsolute(command) || cwd === undefined ? command : resolve(cwd, command);
    return isExecutable(path) ? path : undefined;
  }
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}
