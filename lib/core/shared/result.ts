/**
 * The one shape of an outcome that may fail as a value (a row rejected, a proposal refused): the
 * success's fields beside `ok: true`, the failure's beside `ok: false`, so callers narrow on `ok`
 * and read the fields directly. The failure defaults to a reason a person reads.
 */
export type Result<Success extends object, Failure extends object = { reason: string }> =
  ({ ok: true } & Success) | ({ ok: false } & Failure);
