/**
 * What a caller of `build()` needs from the PEP 517 hook adapter: the config settings it passes
 * (`-C key=value`), the error a backend that did not answer raises (its output and the command
 * that reproduces it), and the quoting that command is shown with. Re-exported here so the CLI
 * talks to ops only, never to adapters (biome.json).
 */
export { formatArgv } from "../adapters/exec.ts";
export { type ConfigSettings, HookError } from "../adapters/python/hooks.ts";
