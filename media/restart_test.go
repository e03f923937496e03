package media

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// cuttableNet is the machine's network with a switch that kills every UDP
// socket opened so far, as a change of network does to the candidate pair
// in use; sockets opened after the cut work.
type cuttableNet struct {
	transport.Net
	mu    sync.Mutex
	conns []*cuttableConn
}

type cuttableConn struct {
	transport.UDPConn
	dead atomic.Bool
}

func (n *cuttableNet) ListenUDP(network string, addr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, addr)
	if err != nil {
		return nil, err
	}
	cc := &cuttableConn{UDPConn: c}
	n.mu.Lock()
	n.conns = append(n.conns, cc)
	n.mu.Unlock()
	return cc, nil
}

func (n *cuttableNet) cut() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.conns {
		c.dead.Store(true)
	}
}

func (c *cuttableConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if c.dead.Load() {
		return len(b), nil // gone into the void
	}
	return c.UDPConn.WriteTo(b, addr)
}

func (c *cuttableConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFrom(b)
		if err != nil || !c.dead.Load() {
			return n, addr, err
		}
	}
}

// TestICERestartAfterTheNetworkChanged cuts the path a video call uses:
// the offering side restarts ICE, both sides gather on the network as it
// is now, and video flows again both ways in the same Sessions.
func TestICERestartAfterTheNetworkChanged(t *testing.T) {
	std, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	nw := &cuttableNet{Net: std}
	callerCfg, calleeCfg := videoConfig(), videoConfig()
	callerCfg.net, calleeCfg.net = nw, nw
	// Small video: what is tested is the restart, and on a loaded machine
	// two 640x480 encoders and decoders would starve it.
	for _, cfg := range []*Config{&callerCfg, &calleeCfg} {
		cfg.Width, cfg.Height, cfg.FrameRate = 320, 240, 15
	}
	c := newCall(t, callerCfg, calleeCfg)
	c.accept(t)
	waitFor(t, "video both ways", func() bool {
		return c.caller.Counters().VideoFramesDecoded >= 10 && c.callee.Counters().VideoFramesDecoded >= 10
	})
	nw.cut()
	a := settled(t, "caller's video", func() int64 { return c.caller.Counters().VideoFramesDecoded })
	b := settled(t, "callee's video", func() int64 { return c.callee.Counters().VideoFramesDecoded })
	waitFor(t, "video both ways after the restart", func() bool {
		return c.caller.Counters().VideoFramesDecoded >= a+30 && c.callee.Counters().VideoFramesDecoded >= b+30
	})
	if c.caller.state() != StateConnected || c.callee.state() != StateConnected {
		t.Errorf("states after the restart: caller %s, callee %s", c.caller.state(), c.callee.state())
	}
}
