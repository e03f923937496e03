package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"time"

	"parley/protocol"
	"parley/server/turn"
)

// iceService is the embedded STUN/TURN service, if one runs, and the ICE
// servers a login hands out for it.
type iceService struct {
	turn *turn.Server  // nil: none runs
	ttl  time.Duration // how long credentials last: as long as a session token
}

// startICE starts the STUN/TURN service at cfg.TURNAddr, unless it is
// empty. tokenKey is the key that signs session tokens; relays may reach
// the SFU at mediaPort.
func startICE(cfg Config, tokenKey []byte, mediaPort int, log *slog.Logger) (*iceService, error) {
	ice := &iceService{ttl: cfg.TokenTTL}
	if cfg.TURNAddr == "" {
		return ice, nil
	}
	srv, err := turn.Start(turn.Config{ListenAddr: cfg.TURNAddr, PublicIP: cfg.PublicIP,
		Secret: turnKey(tokenKey), AllowPeers: cfg.TURNAllowPeers, MediaPort: mediaPort})
	if err != nil {
		return nil, err
	}
	log.Info("STUN/TURN listening", "addr", srv.Addr().String(), "urls", srv.URLs())
	ice.turn = srv
	return ice, nil
}

// turnKey derives the TURN key from the token key, so that neither reveals
// the other.
func turnKey(tokenKey []byte) []byte {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("parley-turn-v1"))
	return m.Sum(nil)
}

// servers are the STUN/TURN servers of user's login reply.
func (i *iceService) servers(user string) []protocol.ICEServer {
	if i.turn == nil {
		return []protocol.ICEServer{}
	}
	name, password := i.turn.Credentials(user, i.ttl)
	return []protocol.ICEServer{{URLs: i.turn.URLs(), Username: name, Credential: password}}
}

func (i *iceService) close() {
	if i.turn != nil {
		i.turn.Close()
	}
}
