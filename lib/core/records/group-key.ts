/**
 * The stable identity of a group across runs: `warehouseId|sku|documentRef`. Each part may hold any
 * text, `|` included, so a `|` or `\` inside a part is escaped (`\|`, `\\`): `A|B` + `C` and `A` +
 * `B|C` are two keys, and the parts are always recovered. A key whose parts hold neither character
 * reads exactly as before (`WH-10|SKU-00065|DOC-0000153`). No imports: the dashboard uses it too.
 */
export interface GroupParts {
  warehouseId: string;
  sku: string;
  documentRef: string;
}

/** One part of a composite key, `\` and `|` escaped. */
export function keyPart(text: string): string {
  if (text.indexOf('|') < 0 && text.indexOf('\\') < 0) return text;
  return text.replace(/[\\|]/g, (c) => `\\${c}`);
}

export function groupKey(g: GroupParts): string {
  return `${keyPart(g.warehouseId)}|${keyPart(g.sku)}|${keyPart(g.documentRef)}`;
}

/** The parts of a composite key (unescaped), or undefined when the text is not one. */
export function keyParts(key: string): string[] | undefined {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '\\') {
      const next = key[i + 1];
      if (next !== '\\' && next !== '|') return undefined;
      part += next;
      i++;
    } else if (c === '|') {
      parts.push(part);
      part = '';
    } else part += c;
  }
  parts.push(part);
  return parts;
}

/** The group a key names, or undefined when the text is not a group key. */
export function groupOfKey(key: string): GroupParts | undefined {
  const parts = keyParts(key);
  if (parts?.length !== 3) return undefined;
  const [warehouseId = '', sku = '', documentRef = ''] = parts;
  return { warehouseId, sku, documentRef };
}
