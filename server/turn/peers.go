package turn

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"github.com/pion/turn/v5"
)

// deniedPeers are the ranges a relay refuses to talk to unless
// Config.AllowPeers opens them, after coturn's denied-peer-ip: they lead
// into the server's own host and the networks it sits in, never to a
// client out on the internet, and a logged-in user must not be able to
// reach them through a relay. IPv4-mapped IPv6 addresses are unmapped
// before the check.
var deniedPeers = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"; Linux delivers 0.0.0.0 to the host itself
	netip.MustParsePrefix("10.0.0.0/8"),     // private (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598): a provider's or an overlay's (Tailscale's) inside
	netip.MustParsePrefix("127.0.0.0/8"),    // loopback
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, cloud metadata services among them
	netip.MustParsePrefix("172.16.0.0/12"),  // private (RFC 1918)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments, not routed
	netip.MustParsePrefix("192.168.0.0/16"), // private (RFC 1918)
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, not routed
	netip.MustParsePrefix("224.0.0.0/4"),    // multicast
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("::/128"),         // unspecified
	netip.MustParsePrefix("::1/128"),        // loopback
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, which maps to any IPv4 address, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("fc00::/7"),       // unique local
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
	netip.MustParsePrefix("ff00::/8"),       // multicast
}

// peerFilter decides where relays may send. A peer is open when it is
// outside deniedPeers and the server's own addresses, or inside
// Config.AllowPeers. Besides, a relay may always send to another relay of
// this server: that is how two clients that are both behind NATs reach
// each other through one TURN server, and a relay socket is no service,
// it forwards only to its own client, and only from peers that client
// gave a permission.
//
// TURN permissions are per peer IP (RFC 8656 section 9), and pion's
// PermissionHandler sees no port, so permissions are granted for the IPs
// relays are reached at, and the port is checked on every packet a relay
// sends.
type peerFilter struct {
	allow []netip.Prefix
	// own are this host's interface addresses, listed at start, and its
	// public IP. An address the host gains later that is private is still
	// denied by range.
	own map[netip.Addr]bool
	// relayIPs are the addresses clients reach this server's relays at.
	relayIPs []netip.Addr
	// mediaPort, on the relay IPs, is the SFU's: a service relays may
	// reach, as clients behind NATs must (0: none).
	mediaPort uint16

	mu         sync.Mutex
	relayPorts map[uint16]bool // of the relay sockets open now
}

// newPeerFilter is the filter of a server whose relays bind to bind
// (possibly unspecified) and are announced at public, on a host with the
// interface addresses local; all of them unmapped.
func newPeerFilter(allow []netip.Prefix, bind, public netip.Addr, local []netip.Addr) *peerFilter {
	f := &peerFilter{allow: allow, own: map[netip.Addr]bool{public: true}, relayPorts: map[uint16]bool{}}
	for _, a := range local {
		f.own[a] = true
	}
	if !bind.IsUnspecified() {
		f.relayIPs = append(f.relayIPs, bind)
	}
	// The public IP leads to the relays when they listen on every address,
	// or when it is not this host's (a NAT in front forwards it). A local
	// address other than the one relays bind to holds no relay, and its
	// ports may be anyone's.
	if public != bind && (bind.IsUnspecified() || !slices.Contains(local, public)) {
		f.relayIPs = append(f.relayIPs, public)
	}
	return f
}

// open reports whether relays may talk to any port of ip.
func (f *peerFilter) open(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range f.allow {
		if p.Contains(ip) {
			return true
		}
	}
	if f.own[ip] {
		return false
	}
	for _, p := range deniedPeers {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

func (f *peerFilter) isRelayIP(ip netip.Addr) bool {
	for _, r := range f.relayIPs {
		if r == ip {
			return true
		}
	}
	return false
}

// permits is pion's PermissionHandler: whether a client may create a
// permission (or bind a channel) for peerIP.
func (f *peerFilter) permits(_ net.Addr, peerIP net.IP) bool {
	ip, ok := netip.AddrFromSlice(peerIP)
	return ok && (f.open(ip) || f.isRelayIP(ip.Unmap()))
}

// permitsPacket reports whether a relay may send to peer.
func (f *peerFilter) permitsPacket(peer netip.AddrPort) bool {
	ip := peer.Addr().Unmap()
	if f.open(ip) {
		return true
	}
	if !f.isRelayIP(ip) {
		return false
	}
	if f.mediaPort != 0 && peer.Port() == f.mediaPort {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.relayPorts[peer.Port()]
}

var (
	// errNoTCPRelays refuses TCP allocations (RFC 6062): Parley's media is
	// UDP, and a Connect request would have the server dial TCP services
	// where the client says.
	errNoTCPRelays = errors.New("turn: TCP relays are not offered")
	// errNoIPv6Relays refuses IPv6 allocations: the service is IPv4, and
	// the filter knows relays by their IPv4 port, which an IPv6 socket
	// could share with an IPv4 service.
	errNoIPv6Relays = errors.New("turn: IPv6 relays are not offered")
)

// relayGenerator opens relay sockets as pion's static generator does, and
// hands them out behind the peer filter.
type relayGenerator struct {
	turn.RelayAddressGeneratorStatic
	filter *peerFilter
}

func (g *relayGenerator) AllocatePacketConn(conf turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	if conf.Network != "udp4" {
		return nil, nil, errNoIPv6Relays
	}
	conn, addr, err := g.RelayAddressGeneratorStatic.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	port := uint16(conn.LocalAddr().(*net.UDPAddr).Port)
	g.filter.mu.Lock()
	g.filter.relayPorts[port] = true
	g.filter.mu.Unlock()
	return &relayConn{PacketConn: conn, filter: g.filter, port: port}, addr, nil
}

func (g *relayGenerator) AllocateListener(turn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	return nil, nil, errNoTCPRelays
}

func (g *relayGenerator) AllocateConn(turn.AllocateConnConfig) (net.Conn, error) {
	return nil, errNoTCPRelays
}

// relayConn is a relay socket that sends only where the filter permits,
// and counts as a relay until closed.
type relayConn struct {
	net.PacketConn
	filter    *peerFilter
	port      uint16
	closeOnce sync.Once
}

func (c *relayConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if ua, ok := addr.(*net.UDPAddr); !ok || !c.filter.permitsPacket(ua.AddrPort()) {
		return 0, fmt.Errorf("turn: relaying to %v is refused", addr)
	}
	return c.PacketConn.WriteTo(p, addr)
}

// Close forgets the port before freeing it, so that whoever binds the
// port next is never taken for a relay.
func (c *relayConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		c.filter.mu.Lock()
		delete(c.filter.relayPorts, c.port)
		c.filter.mu.Unlock()
		err = c.PacketConn.Close()
	})
	return err
}
