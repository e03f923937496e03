package media

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/pion/stun/v4"
)

// turnDialTimeout bounds connecting to a TURN server over TCP, the TLS
// handshake included.
const turnDialTimeout = 10 * time.Second

// turnDialer connects ICE to the TURN servers it reaches over TCP, and
// does the TLS of the turns: ones itself. Pion would check a turns:
// server's certificate against the system's authorities only; given a
// dialer it uses the connection as it gets it, so a server signed by a
// private authority (Config.RootCAs) is reachable too.
type turnDialer struct {
	names map[string]string // host:port of a turns: URL → the name its certificate must have
	roots *x509.CertPool    // nil: the system's
}

// newTURNDialer returns the dialer of the turns: servers among servers, or
// nil when there are none.
func newTURNDialer(servers []ICEServer, roots *x509.CertPool) *turnDialer {
	d := &turnDialer{names: make(map[string]string), roots: roots}
	for _, s := range servers {
		for _, raw := range s.URLs {
			u, err := stun.ParseURI(raw)
			if err != nil || u.Scheme != stun.SchemeTypeTURNS {
				continue // pion reports a malformed URL itself
			}
			// The address as pion's TURN gathering writes it.
			d.names[fmt.Sprintf("%s:%d", u.Host, u.Port)] = u.Host
		}
	}
	if len(d.names) == 0 {
		return nil
	}
	return d
}

// Dial connects to addr: over TLS when it is a turns: server's, else over
// plain TCP (a turn: URL with transport=tcp).
func (d *turnDialer) Dial(network, addr string) (net.Conn, error) {
	nd := &net.Dialer{Timeout: turnDialTimeout}
	name, ok := d.names[addr]
	if !ok {
		return nd.Dial(network, addr)
	}
	td := &tls.Dialer{NetDialer: nd, Config: &tls.Config{ServerName: name, RootCAs: d.roots, MinVersion: tls.VersionTLS12}}
	return td.Dial(network, addr)
}
