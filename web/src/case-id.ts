/**
 * A case's id in URLs, made in the browser the way the API makes it (lib/core/cases/case-id.ts, which
 * uses Node's Buffer): the base64url of the group key's UTF-8 bytes, without padding. A test holds
 * the two to the same answer for any group key.
 */
export function caseIdOf(groupKey: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(groupKey)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
