/**
 * Child process for the lock tests: takes the release lock of the directory in argv[2] and says
 * "locked <pid>" on stdout, then holds it until killed; says "held <message>" and exits 3 when
 * another process holds it.
 */
import { acquireLock } from "../../src/pipeline/lock.ts";

const dir = process.argv[2]!;
try {
  await acquireLock(dir, { now: () => Date.now() });
} catch (error) {
  process.stdout.write(`held ${(error as Error).message}\n`);
  process.exit(3);
}
process.stdout.write(`locked ${process.pid}\n`);
// Hold the lock until the parent kills this process.
setInterval(() => {}, 60_000);
