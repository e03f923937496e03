// Ids the client makes or computes.

// directId is the id of the direct conversation of two users: both sides
// compute the same one, the smaller name (in byte order) first.
export function directId(a, b) {
  return a < b ? `direct:${a}:${b}` : `direct:${b}:${a}`;
}

// randomId makes client ids (message client_id, device id).
export function randomId(prefix) {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return prefix + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
