// The server's clock as this tab knows it, from one request that carried
// the server's time. The server stamped it somewhere between sent and got:
// the midpoint is the best guess, wrong by at most half the round trip.
export function measureClock(sent, got, serverMS) {
  return {offset: serverMS - (sent + got) / 2, error: (got - sent) / 2};
}
