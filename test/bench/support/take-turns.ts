// Latency one request at a time, over one kept-alive connection, taking turns between a few kinds
// of request: each kind sees the same machine, so a neighbour's load on it falls on all of them
// alike and their ratio stays meaningful.

export interface Turn {
  url: string;
  headers: Record<string, string>;
  /** A fresh body per request. */
  body: () => string;
  /** Whether the answer (parsed JSON, status 200) is what the request was meant to get. */
  succeeded: (answer: unknown) => boolean;
}

export interface TurnLatency {
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

const WARMUP_ROUNDS = 20;

/** Sends one request of each turn in order, round after round, for `seconds` after a warmup. */
export async function takeTurns(turns: Turn[], seconds: number): Promise<TurnLatency[]> {
  for (let round = 0; round < WARMUP_ROUNDS; round += 1) for (const turn of turns) await send(turn);
  const latencies = turns.map(() => [] as number[]);
  const errors = turns.map(() => 0);
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    for (const [index, turn] of turns.entries()) {
      const begun = performance.now();
      const succeeded = await send(turn);
      latencies[index]!.push(performance.now() - begun);
      if (!succeeded) errors[index]! += 1;
    }
  }
  return latencies.map((measured, index) => {
    measured.sort((a, b) => a - b);
    const at = (quantile: number) => round2(measured[Math.min(measured.length - 1, Math.floor(quantile * measured.length))]!);
    return { p50Ms: at(0.5), p99Ms: at(0.99), requests: measured.length, errors: errors[index]! };
  });
}

async function send(turn: Turn): Promise<boolean> {
  try {
    const response = await fetch(turn.url, { method: "POST", headers: turn.headers, body: turn.body() });
    const answer: unknown = await response.json();
    return response.status === 200 && turn.succeeded(answer);
  } catch {
    return false;
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
