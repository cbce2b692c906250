import { groupOfKey } from '../records/group-key.js';

/**
 * A case's id in URLs: the base64url of its group key (`warehouseId|sku|documentRef`). The group
 * key is the identity, but it holds `|`, any Unicode and possibly `/` (a documentRef like
 * `PO/2026/001`), and API Gateway's HTTP APIs decode the path before routing, so `%2F` would split
 * the path segment in the cloud while the local front kept it whole. The encoded form needs no
 * escaping anywhere and maps one to one onto the group key.
 */
export function caseIdOf(groupKey: string): string {
  // TextEncoder and btoa rather than Buffer: the dashboard makes the same ids in the browser.
  let binary = '';
  for (const byte of new TextEncoder().encode(groupKey)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The group key of a case id, or undefined when the text is not one. */
export function groupKeyOf(caseId: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(caseId)) return undefined;
  const groupKey = fromBase64Url(caseId);
  if (groupKey === undefined) return undefined;
  // Only the canonical encoding is an id: no two ids name one case.
  return caseIdOf(groupKey) === caseId && groupOfKey(groupKey) !== undefined ? groupKey : undefined;
}
