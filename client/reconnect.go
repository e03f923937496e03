package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"parley/protocol"
)

// run keeps the client connected until Close: it serves each session until
// it drops, then reconnects with backoff.
func (c *Client) run(s *session) {
	defer close(c.done)
	attempt := 0
	for {
		began := time.Now()
		c.serve(s)
		if c.ctx.Err() != nil {
			return
		}
		c.log.Warn("disconnected; reconnecting", "err", s.err)
		c.emit(stateEvent(EventDisconnected, s.err))
		// A connection that held for a while was not part of a failure
		// streak: start the delays over.
		if time.Since(began) >= c.opts.BackoffMax {
			attempt = 0
		}
		for s = nil; s == nil; attempt++ {
			if !c.sleep(backoff(c.opts.BackoffMin, c.opts.BackoffMax, attempt)) {
				return
			}
			var err error
			if s, err = c.connect(c.ctx); err != nil && c.ctx.Err() == nil {
				c.log.Warn("reconnect failed", "attempt", attempt+1, "err", err)
			}
		}
		c.log.Info("reconnected")
		c.publish(s, EventReconnected)
	}
}

// serve catches up on chat over s and says so with EventCaughtUp, then
// waits until s ends or the client closes.
func (c *Client) serve(s *session) {
	switch err := c.catchUp(); {
	case err == nil:
		c.emit(stateEvent(EventCaughtUp, nil))
	case c.ctx.Err() == nil:
		// A connection that cannot catch up would deliver live messages
		// past a gap; better drop it and try again.
		s.close(fmt.Errorf("catching up on chat: %w", err))
	}
	select {
	case <-s.done:
	case <-c.ctx.Done():
		s.shutdown()
	}
	s.wg.Wait()
}

// connect opens a session, logging in again if the server no longer takes
// the token (it expired, or the server restarted with a new key).
func (c *Client) connect(ctx context.Context) (*session, error) {
	s, err := c.open(ctx)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == protocol.CodeUnauthorized {
		c.log.Info("the server refused the token; logging in again", "err", err)
		if err := c.logIn(ctx); err != nil {
			return nil, err
		}
		s, err = c.open(ctx)
	}
	return s, err
}

func (c *Client) logIn(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	r, err := login(ctx, c.opts)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.login = r
	c.mu.Unlock()
	return nil
}

// publish makes s the client's connection and starts it; state is the
// connection-state event to announce it with.
func (c *Client) publish(s *session, state string) {
	c.chat.hold()
	c.mu.Lock()
	c.sess, c.clock = s, s.clock
	close(c.up)
	c.mu.Unlock()
	s.start(state)
}

// detach forgets s as the client's connection; it is called as s closes.
func (c *Client) detach(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == s {
		c.sess = nil
		c.up = make(chan struct{})
	}
}

// backoff is the delay before reconnect attempt n (from 0): a random
// duration up to min(hi, lo·2ⁿ).
func backoff(lo, hi time.Duration, n int) time.Duration {
	bound := lo
	for ; n > 0 && bound < hi; n-- {
		bound *= 2
	}
	return rand.N(min(bound, hi) + 1)
}

// sleep waits for d, or returns false if the client closes first.
func (c *Client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}
