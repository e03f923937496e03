package store

import (
	"slices"
	"testing"
)

func TestLeases(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := s.open(t)
		for _, tc := range []struct {
			node  string
			until int64
		}{{"n1", 100}, {"n2", 200}, {"n1", 300}} { // n1 renews
			if err := db.RenewLease(ctx, tc.node, tc.until); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			now  int64
			want []string
		}{{150, []string{"n1", "n2"}}, {200, []string{"n1"}}, {300, nil}} {
			got, err := db.LiveNodes(ctx, tc.now)
			slices.Sort(got)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("live at %d: %v, %v; want %v", tc.now, got, err, tc.want)
			}
		}
		if err := db.DropLeases(ctx, 250); err != nil {
			t.Fatal(err)
		}
		if got, err := db.LiveNodes(ctx, 0); err != nil || !slices.Equal(got, []string{"n1"}) {
			t.Errorf("after dropping the leases run out: %v, %v; want n1", got, err)
		}
	})
}
