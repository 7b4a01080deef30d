/**
 * An invalid stub, fault, journal query or clock request. The admin API returns it with
 * `status` and a JSON body naming `field`, the path of the offending value.
 */
export class ControlInputError extends Error {
  override readonly name = 'ControlInputError';

  constructor(
    message: string,
    readonly field?: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
