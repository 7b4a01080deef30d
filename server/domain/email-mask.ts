/**
 * Masks an email address for `email_pattern` and `email_unconfirmed_pattern`, like
 * `alice@example.com` -> `a****@e******.com`. The local part and every domain label except the
 * last keep their first character, every other character of them becomes one `*`, and the
 * top-level domain stays readable.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return maskPart(address);
  const labels = address.slice(at + 1).split('.');
  const topLevel = labels.length > 1 ? labels.pop() : undefined;
  const domain = labels.map(maskPart);
  if (topLevel !== undefined) domain.push(topLevel);
  return `${maskPart(address.slice(0, at))}@${domain.join('.')}`;
}

function maskPart(part: string): string {
  const characters = Array.from(part);
  if (characters.length === 0) return '';
  return characters[0] + '*'.repeat(characters.length - 1);
}
