package store

import "context"

// RenewLease says that node runs until untilMS.
func (db *DB) RenewLease(ctx context.Context, node string, untilMS int64) (err error) {
	defer wrap(&err, "renew lease")
	_, err = db.write.ExecContext(ctx, `
		INSERT INTO node_leases (node, until_ms) VALUES ($1, $2)
		ON CONFLICT (node) DO UPDATE SET until_ms = excluded.until_ms`, node, untilMS)
	return err
}

// LiveNodes returns the nodes whose lease runs past nowMS.
func (db *DB) LiveNodes(ctx context.Context, nowMS int64) (nodes []string, err error) {
	defer wrap(&err, "live nodes")
	rows, err := db.read.QueryContext(ctx, `SELECT node FROM node_leases WHERE until_ms > $1`, nowMS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, rows.Err()
}

// DropLeases forgets the leases that ran out by nowMS.
func (db *DB) DropLeases(ctx context.Context, nowMS int64) (err error) {
	defer wrap(&err, "drop leases")
	_, err = db.write.ExecContext(ctx, `DELETE FROM node_leases WHERE until_ms <= $1`, nowMS)
	return err
}
