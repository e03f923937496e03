package callcore

import "time"

// startCountdownLocked counts the invite down to the server's deadline,
// in whole seconds, using the server's clock.
func (p *Phone) startCountdownLocked(deadlineMS int64) {
	p.stopCountdownLocked()
	stop := make(chan struct{})
	p.stopTick = stop
	p.wg.Add(1)
	go p.countdown(deadlineMS, stop)
}

func (p *Phone) stopCountdownLocked() {
	if p.stopTick != nil {
		close(p.stopTick)
		p.stopTick = nil
	}
}

// countdownSlack covers a wake-up that comes late: the shown number
// changes this much before the server's clock says so.
const countdownSlack = 50 * time.Millisecond

func (p *Phone) countdown(deadlineMS int64, stop chan struct{}) {
	defer p.wg.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for {
		left := p.sig.TimeLeft(deadlineMS)
		// Whole seconds, rounded up, a little early: a 30 s invite starts
		// at 30, not 31, and 0 shows before the server's timeout arrives.
		secs := int((left - countdownSlack + time.Second - 1) / time.Second)
		if secs < 0 {
			secs = 0
		}
		p.mu.Lock()
		select {
		case <-stop:
			p.mu.Unlock()
			return
		default:
		}
		p.emitLocked(Event{Type: EventCountdown, SecondsLeft: secs, Call: p.call})
		p.unlockAndFlush()
		if secs == 0 {
			return
		}
		// Sleep until the shown number changes.
		t.Reset(left - countdownSlack - time.Duration(secs-1)*time.Second)
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
