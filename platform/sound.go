package platform

import "sync"

// Play plays pcm (48 kHz mono) on the named device ("" for the default):
// over and over until Close when loop is set (the ringtone, the dial
// tone), else once, after which the device is released by itself (the
// hang-up tone). Closing early is always allowed.
func Play(device string, pcm []int16, loop bool) (*Speaker, error) {
	c := &cursor{pcm: pcm, loop: loop, ended: make(chan struct{})}
	s, err := OpenSpeaker(device, c.read)
	if err != nil {
		return nil, err
	}
	if !loop {
		// The device cannot be released from its own callback.
		go func() {
			select {
			case <-c.ended:
				s.Close()
			case <-s.closed:
			}
		}()
	}
	return s, nil
}

// cursor reads a sound from its start, wrapping around when it loops.
type cursor struct {
	pcm   []int16
	pos   int
	loop  bool
	ended chan struct{}
	once  sync.Once
}

func (c *cursor) read(out []int16) int {
	n := 0
	for n < len(out) && len(c.pcm) > 0 {
		if c.pos == len(c.pcm) {
			if !c.loop {
				break
			}
			c.pos = 0
		}
		k := copy(out[n:], c.pcm[c.pos:])
		c.pos += k
		n += k
	}
	if n == 0 {
		c.once.Do(func() { close(c.ended) })
	}
	return n
}
