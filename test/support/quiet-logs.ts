// Vitest setupFile: the gateway's log at warn while tests run, so that the output of a run is its
// tests' results and what went wrong, not an access line per request. A test that reads log lines
// catches them at the level it needs (captureLogs in logs.ts); TEST_LOG_LEVEL=info (or debug)
// shows everything, for a file being debugged. Spawned gateways keep their own LOG_LEVEL: their
// tests read their lines from the pipe.
import { isLogLevel, setLogLevel } from "../../src/observability/logger.ts";

const wanted = process.env.TEST_LOG_LEVEL ?? "warn";
if (!isLogLevel(wanted)) throw new Error(`TEST_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${wanted}")`);
setLogLevel(wanted);
