package server

import (
	"sync/atomic"

	"parley/protocol"
	"parley/server/cluster"
)

// fromOtherNodes is what the rest of the cluster hands this node
// (cluster.Local): frames for the devices here, presence changes to
// announce to them, and, once the server is made, requests and devices
// for the calls this node owns.
type fromOtherNodes struct {
	devices  *registry
	presence *presenceAnnouncer
	// server is nil until the server is made: no call of this node
	// exists before, so there is nothing to answer or to ring.
	server atomic.Pointer[Server]
}

func (f *fromOtherNodes) Deliver(to []cluster.Target, frame []byte) {
	f.devices.deliverLocal(to, frame)
}
func (f *fromOtherNodes) PresenceChanged(user string) { f.presence.remoteChanged(user) }

func (f *fromOtherNodes) Call(typ, user, device string, payload []byte) cluster.CallReply {
	s := f.server.Load()
	if s == nil {
		return cluster.CallReply{Code: protocol.CodeNotFound, Body: []byte("no such call on this server yet")}
	}
	return s.answerCall(typ, user, device, payload)
}

func (f *fromOtherNodes) DeviceChanged(user, device string, online bool) {
	s := f.server.Load()
	switch {
	case s == nil:
	case online:
		s.calls.DeviceOnline(user, device)
	default:
		s.calls.DeviceOffline(user, device)
	}
}

// joinCluster joins the cluster of cfg.NATS, if any, and hands devices the
// other nodes. It returns nil when the node runs alone; from then on the
// server is handed to from once it is made.
func joinCluster(cfg Config, from *fromOtherNodes) (*cluster.Node, error) {
	if cfg.NATS == "" {
		return nil, nil
	}
	node, err := cluster.Join(cluster.Config{URL: cfg.NATS, Logger: cfg.Logger}, from)
	if err != nil {
		return nil, err
	}
	from.devices.others = node
	return node, nil
}
