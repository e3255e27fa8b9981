// Waiting for helper threads to take part in a job, for the tests of the threaded CPU
// kernels (the SIMD matmul, STAF's sine sums).

/**
 * Helpers claim chunks when they wake, so how many threads took part in one job varies:
 * repeat `attempt` (which returns that count, and checks whatever it ran) until at least
 * two did, and return the most. Bounded by time, not by a count of tries: on a loaded
 * machine (the suite's other files on every core) the calling thread can finish 50 jobs
 * in a row before a helper is scheduled, and a yield between tries gives the helpers the
 * cores.
 */
export async function untilThreadsTookPart(attempt: () => number, seconds = 20): Promise<number> {
  const backToBack = 50;
  const deadline = performance.now() + seconds * 1000;
  let most = 0;
  for (let i = 0; most < 2 && (i < backToBack || performance.now() < deadline); i++) {
    most = Math.max(most, attempt());
    if (i >= backToBack) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return most;
}
