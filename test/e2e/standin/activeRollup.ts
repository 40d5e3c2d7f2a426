/**
 * op-service's active-sequencer endpoint selection, as op-batcher and op-proposer use it with
 * comma-separated `--rollup-rpc` lists: the first endpoint answering `admin_sequencerActive`
 * true (errors count as inactive), re-checked every --active-sequencer-check-duration. With a
 * single endpoint it is used as is.
 */
import { call } from "./rpc";

export class ActiveRollup {
  private current = 0;
  private checkedAt = 0;
  constructor(
    readonly rollupUrls: string[],
    readonly checkMs: number,
  ) {}

  /** Index of the active endpoint, or undefined if none is active right now. */
  async index(): Promise<number | undefined> {
    if (this.rollupUrls.length === 1) return 0;
    if (Date.now() - this.checkedAt < this.checkMs) return this.current;
    for (let i = 0; i < this.rollupUrls.length; i++) {
      const j = (this.current + i) % this.rollupUrls.length;
      try {
        if (await call<boolean>(this.rollupUrls[j], "admin_sequencerActive", [], 2000)) {
          this.current = j;
          this.checkedAt = Date.now();
          return j;
        }
      } catch {
        // unreachable or not the leader: inactive
      }
    }
    this.checkedAt = 0;
    return undefined;
  }
}

/** Splits a comma-separated URL list flag. */
export const urlList = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
