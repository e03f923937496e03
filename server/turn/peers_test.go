package turn

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"
)

// relayClient is a TURN client holding a relay allocation; both are
// closed when the test ends.
type relayClient struct {
	client *turn.Client
	relay  net.PacketConn
}

func dialRelay(t *testing.T, s *Server, user string) relayClient {
	t.Helper()
	c := newClient(t, s, user)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("%s: allocate: %v", user, err)
	}
	t.Cleanup(func() { relay.Close() })
	return relayClient{client: c, relay: relay}
}

func newClient(t *testing.T, s *Server, user string) *turn.Client {
	t.Helper()
	name, pass := s.Credentials(user, time.Hour)
	return listeningClient(t, s, name, pass)
}

func (r relayClient) addr() *net.UDPAddr { return r.relay.LocalAddr().(*net.UDPAddr) }

// permit asks for a permission to peer, failing the test if refused.
func (r relayClient) permit(t *testing.T, peer net.Addr) {
	t.Helper()
	if err := r.client.CreatePermission(peer); err != nil {
		t.Fatalf("permission to %v: %v", peer, err)
	}
}

// send sends payload from the relay to peer.
func (r relayClient) send(t *testing.T, peer net.Addr, payload string) {
	t.Helper()
	if _, err := r.relay.WriteTo([]byte(payload), peer); err != nil {
		t.Fatalf("send to %v: %v", peer, err)
	}
}

// receive waits for payload on conn, from the address from.
func receive(t *testing.T, conn net.PacketConn, from net.Addr, payload string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1500)
	n, src, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatalf("waiting for %q at %v: %v", payload, conn.LocalAddr(), err)
	}
	if string(buf[:n]) != payload || src.String() != from.String() {
		t.Fatalf("got %q from %v, want %q from %v", buf[:n], src, payload, from)
	}
}

// neverReaches sends a packet from r to dst and then one to witness's
// relay, and fails if dst got the first. The server handles one client's
// packets in order and hands a relayed packet to the kernel before it
// reads the next, so once the witness has its packet, dst would have its
// own: no waiting on a timeout that a slow machine could outlast.
func neverReaches(t *testing.T, r relayClient, dst net.PacketConn, witness relayClient) {
	t.Helper()
	witness.permit(t, r.addr())
	r.send(t, dst.LocalAddr(), "for a service")
	r.send(t, witness.addr(), "witness")
	receive(t, witness.relay, r.addr(), "witness")
	dst.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, 1500)
	if n, src, err := dst.ReadFrom(buf); err == nil {
		t.Fatalf("%v got %q from %v through the relay", dst.LocalAddr(), buf[:n], src)
	}
}

func listenUDP(t *testing.T, addr string) net.PacketConn {
	t.Helper()
	conn, err := net.ListenPacket("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// forbidden reports whether err is the server's 403 answer to a
// permission request.
func forbidden(err error) bool {
	var te *stun.TurnError
	return errors.As(err, &te) && te.ErrorCodeAttr.Code == stun.CodeForbidden
}

func TestRelayRefusesPeersOnTheServersNetworks(t *testing.T) {
	s := startLoopback(t)
	alice := dialRelay(t, s, "alice")
	for name, ip := range map[string]string{
		"loopback":                    "127.0.0.2",
		"private":                     "10.1.2.3",
		"link-local (cloud metadata)": "169.254.169.254",
		"carrier-grade NAT":           "100.64.0.1",
	} {
		err := alice.client.CreatePermission(&net.UDPAddr{IP: net.ParseIP(ip), Port: 53})
		if !forbidden(err) {
			t.Errorf("%s: permission to %s: %v, want 403 Forbidden", name, ip, err)
		}
	}
	// Permissions for the relays' own IP are granted, as other clients'
	// relays live there; a socket on it that is not a relay gets nothing.
	service := listenUDP(t, "127.0.0.1:0")
	neverReaches(t, alice, service, dialRelay(t, s, "bob"))
}

func TestRelayToAnotherRelayOfTheServer(t *testing.T) {
	s := startLoopback(t)
	alice, bob := dialRelay(t, s, "alice"), dialRelay(t, s, "bob")
	alice.permit(t, bob.addr())
	bob.permit(t, alice.addr())
	alice.send(t, bob.addr(), "hello bob")
	receive(t, bob.relay, alice.addr(), "hello bob")
	bob.send(t, alice.addr(), "hello alice")
	receive(t, alice.relay, bob.addr(), "hello alice")

	// Once bob frees his relay its port is no relay any more: a socket
	// that takes the port over is out of reach.
	port := bob.addr().Port
	bob.relay.Close()
	var squatter net.PacketConn
	deadline := time.Now().Add(10 * time.Second)
	for squatter == nil {
		conn, err := net.ListenPacket("udp4", bob.addr().String())
		switch {
		case err == nil:
			squatter = conn
		case time.Now().After(deadline):
			t.Fatalf("port %d was not freed: %v", port, err)
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Cleanup(func() { squatter.Close() })
	neverReaches(t, alice, squatter, dialRelay(t, s, "carol"))
}

// TestNoTCPRelays: a TCP allocation (RFC 6062) would let a client make
// the server open TCP connections anywhere, and Parley's media is UDP.
func TestNoTCPRelays(t *testing.T) {
	s := startLoopback(t)
	c := newClient(t, s, "alice")
	alloc, err := c.AllocateTCP()
	if err == nil {
		alloc.Close()
		t.Fatal("got a TCP relay")
	}
	var te *stun.TurnError
	if !errors.As(err, &te) {
		t.Fatalf("allocate TCP: %v, want an error response", err)
	}
}

func TestAllowPeersOpensARange(t *testing.T) {
	s, err := Start(Config{UDPAddr: "127.0.0.1:0", Realm: "parley.test", Secret: []byte("s3cret"),
		AllowPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	alice := dialRelay(t, s, "alice")
	service := listenUDP(t, "127.0.0.1:0")
	alice.send(t, service.LocalAddr(), "allowed")
	receive(t, service, alice.addr(), "allowed")
	if _, err := service.WriteTo([]byte("reply"), alice.addr()); err != nil {
		t.Fatal(err)
	}
	receive(t, alice.relay, service.LocalAddr(), "reply")
	// The rest of loopback stays closed.
	if err := alice.client.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 53}); !forbidden(err) {
		t.Fatalf("permission to 127.0.0.2: %v, want 403 Forbidden", err)
	}
}

func TestPeerFilter(t *testing.T) {
	addr := netip.MustParseAddr
	// A server listening on every address of a host at 192.168.1.5 and
	// 2001:db8::5, announced at the public 198.51.100.7 that a NAT
	// forwards, with 10.20.0.0/16 opened.
	f := newPeerFilter([]netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")},
		addr("0.0.0.0"), addr("198.51.100.7"), []netip.Addr{addr("127.0.0.1"), addr("192.168.1.5"), addr("::1"), addr("2001:db8::5")})
	f.relayPorts[50000] = true
	f.mediaPort = 7882
	for _, c := range []struct {
		peer       string
		permission bool // may a client get a permission for the IP
		packet     bool // may a relay send to the address
	}{
		{"8.8.8.8:53", true, true},
		{"[2001:4860:4860::8888]:53", true, true},
		{"[::ffff:8.8.8.8]:53", true, true},
		{"198.51.100.8:5000", true, true},
		{"10.20.3.4:5000", true, true}, // allowed
		{"10.21.3.4:5000", false, false},
		{"198.51.100.7:50000", true, true}, // a relay at the public IP
		{"198.51.100.7:50001", true, false},
		{"198.51.100.7:3478", true, false}, // the TURN service itself
		{"198.51.100.7:7882", true, true},  // the SFU's media port
		{"192.168.1.5:7882", false, false}, // the media port on an address relays are not reached at
		{"127.0.0.1:7882", false, false},
		{"192.168.1.5:50000", false, false}, // the relay's port on an address it is not announced at
		{"[2001:db8::5]:5000", false, false},
		{"0.0.0.0:5000", false, false},
		{"0.1.2.3:5000", false, false},
		{"127.0.0.1:5000", false, false},
		{"127.255.255.254:5000", false, false},
		{"[::ffff:127.0.0.1]:5000", false, false},
		{"172.16.0.1:5000", false, false},
		{"172.31.255.255:5000", false, false},
		{"172.32.0.1:5000", true, true},
		{"192.168.200.1:5000", false, false},
		{"100.64.0.1:5000", false, false},
		{"100.127.255.255:5000", false, false},
		{"100.128.0.1:5000", true, true},
		{"169.254.169.254:80", false, false},
		{"192.0.0.170:5000", false, false},
		{"198.18.0.1:5000", false, false},
		{"224.0.0.251:5353", false, false},
		{"239.255.255.250:1900", false, false},
		{"240.0.0.1:5000", false, false},
		{"255.255.255.255:5000", false, false},
		{"[::]:5000", false, false},
		{"[::1]:5000", false, false},
		{"[fc00::1]:5000", false, false},
		{"[fd12:3456::1]:5000", false, false},
		{"[fe80::1]:5000", false, false},
		{"[fec0::1]:5000", false, false},
		{"[ff02::1]:5000", false, false},
		{"[64:ff9b::a00:1]:5000", false, false},
	} {
		peer := netip.MustParseAddrPort(c.peer)
		if got := f.permits(nil, peer.Addr().AsSlice()); got != c.permission {
			t.Errorf("%s: permission %v, want %v", c.peer, got, c.permission)
		}
		if got := f.permitsPacket(peer); got != c.packet {
			t.Errorf("%s: packet %v, want %v", c.peer, got, c.packet)
		}
	}
}

func TestRelayIPs(t *testing.T) {
	addr := netip.MustParseAddr
	local := []netip.Addr{addr("127.0.0.1"), addr("192.168.1.5"), addr("192.168.2.5")}
	for _, c := range []struct {
		name         string
		bind, public string
		want         []netip.Addr
	}{
		{"loopback", "127.0.0.1", "127.0.0.1", []netip.Addr{addr("127.0.0.1")}},
		{"every address, announced at a LAN address", "0.0.0.0", "192.168.1.5", []netip.Addr{addr("192.168.1.5")}},
		{"one address behind a NAT", "192.168.1.5", "198.51.100.7", []netip.Addr{addr("192.168.1.5"), addr("198.51.100.7")}},
		// Misconfigured: nothing of the relays is at 192.168.2.5, so its
		// ports are someone else's.
		{"announced at another local address", "192.168.1.5", "192.168.2.5", []netip.Addr{addr("192.168.1.5")}},
	} {
		f := newPeerFilter(nil, addr(c.bind), addr(c.public), local)
		if !slices.Equal(f.relayIPs, c.want) {
			t.Errorf("%s: relay IPs %v, want %v", c.name, f.relayIPs, c.want)
		}
	}
}
