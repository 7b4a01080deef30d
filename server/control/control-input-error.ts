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

/**
 * Throws for the first key of `input` that is not in `allowed`, naming the known fields. A
 * typo such as `methdo` in a journal query would otherwise match every request.
 */
export function rejectUnknownFields(
  input: Record<string, unknown>,
  allowed: readonly string[],
  inputName: string,
): void {
  const unknownKey = Object.keys(input).find((key) => !allowed.includes(key));
  if (unknownKey !== undefined) {
    throw new ControlInputError(
      `unknown ${inputName} field ${unknownKey}; the fields are ${allowed.join(', ')}`,
      unknownKey,
    );
  }
}
