/**
 * Child process for the crash tests: plans `bump patch` for the project in argv[2] and applies it
 * with a pause of argv[3] ms after each rename, announcing each phase on stdout so the parent can
 * SIGKILL it at a chosen moment. The pause is the test's seam (the `afterStep` hook), not a
 * switch in product code.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { applyVersionPlan, assembleVersionPlan, readVersionPlaces } from "../../src/ops/version.ts";

const [dir, pause] = process.argv.slice(2);
const plan = assembleVersionPlan(await readVersionPlaces(dir!), { bump: "patch" });
process.stdout.write("applying\n");
await applyVersionPlan(plan, {
  hooks: {
    afterStep: async (index) => {
      process.stdout.write(`step ${index}\n`);
      await sleep(Number(pause));
    },
  },
});
process.stdout.write("done\n");
