package client

import "time"

// serverClock is what a hello taught about the server's clock: how far it
// is ahead of ours, and how wrong that may be. The server stamped its time
// at some instant between sent and got; the midpoint is the best guess,
// wrong by at most half the round trip, and half a millisecond more, for
// the stamp is in whole milliseconds.
type serverClock struct {
	offset time.Duration
	err    time.Duration
}

func measureClock(sent, got time.Time, serverMS int64) serverClock {
	const halfMS = time.Millisecond / 2
	half := got.Sub(sent) / 2
	server := time.UnixMilli(serverMS).Add(halfMS) // the middle of its millisecond
	return serverClock{offset: server.Sub(sent.Add(half)), err: half + halfMS}
}

// ClockOffset is how far the server's clock is ahead of this machine's
// (negative when behind), as measured by the last hello.
func (c *Client) ClockOffset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clock.offset
}

// TimeLeft is how long until deadlineMS on the server's clock, taking the
// server's clock to be as far ahead as the estimate allows: a countdown to
// it reaches zero no later than the server's own deadline, and a slow
// round trip at hello costs a little early, never late.
func (c *Client) TimeLeft(deadlineMS int64) time.Duration {
	c.mu.Lock()
	clk := c.clock
	c.mu.Unlock()
	return time.UnixMilli(deadlineMS).Sub(time.Now().Add(clk.offset + clk.err))
}
