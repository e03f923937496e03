package server

import (
	"parley/server/cluster"
)

// fromOtherNodes is what the rest of the cluster hands this node
// (cluster.Local): frames for the devices here, and presence changes to
// announce to them.
type fromOtherNodes struct {
	devices  *registry
	presence *presenceAnnouncer
}

func (f fromOtherNodes) Deliver(to []cluster.Target, frame []byte) { f.devices.deliverLocal(to, frame) }
func (f fromOtherNodes) PresenceChanged(user string)               { f.presence.remoteChanged(user) }

// joinCluster joins the cluster of cfg.NATS, if any, and hands devices the
// other nodes. It returns nil when the node runs alone.
func joinCluster(cfg Config, devices *registry, presence *presenceAnnouncer) (*cluster.Node, error) {
	if cfg.NATS == "" {
		return nil, nil
	}
	node, err := cluster.Join(cluster.Config{URL: cfg.NATS, Logger: cfg.Logger}, fromOtherNodes{devices, presence})
	if err != nil {
		return nil, err
	}
	devices.others = node
	return node, nil
}
