package client

import "time"

// clockOffset estimates how far the server's clock is ahead of ours. The
// server stamped serverMS at some instant between sent and got; the
// midpoint is the best guess, wrong by at most half the round trip.
func clockOffset(sent, got time.Time, serverMS int64) time.Duration {
	mid := sent.Add(got.Sub(sent) / 2)
	return time.UnixMilli(serverMS).Sub(mid)
}

// ClockOffset is how far the server's clock is ahead of this machine's
// (negative when behind), as measured by the last hello.
func (c *Client) ClockOffset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// ServerNow is the server's current time, as far as the client can tell.
// Countdowns to server deadlines (an invite's deadline_ms) use it.
func (c *Client) ServerNow() time.Time {
	return time.Now().Add(c.ClockOffset())
}
