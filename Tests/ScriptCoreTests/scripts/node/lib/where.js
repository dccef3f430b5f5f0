// A module's __filename and __dirname are its own (used by dirname.tl).
export const file = __filename;
export function dir() {
  return __dirname;
}
