// Vitest setupFile of the projects whose files share their worker's modules (`isolate: false` in
// test/vitest.config.ts): /metrics counts in one registry per process, so each file starts from
// zero, as it would in a process of its own, and reads on /metrics only what it caused.
import { registry } from "../../src/observability/metrics.ts";

registry.resetMetrics();
