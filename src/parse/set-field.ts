/**
 * Stores `obj[key] = value` for keys taken off the wire. A plain assignment with the key
 * `__proto__` would replace the object's prototype instead of adding a field; that one key is
 * defined as an own property instead.
 */
export function setField<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key.length === 9 && key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
