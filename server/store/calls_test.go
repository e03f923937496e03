package store

import (
	"slices"
	"testing"

	"parley/protocol"
)

func TestCalls(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := seed(t, s.open(t))
		conv, err := db.EnsureDirect(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		row := func(id string, created int64) CallRow {
			return CallRow{ID: id, Conversation: conv, Media: protocol.MediaAudio, Caller: "alice", CreatedMS: created}
		}
		for _, tc := range []struct {
			name string
			do   func() error
			want error
		}{
			{"start c1", func() error { return db.CallStarted(ctx, row("c1", 100)) }, nil},
			{"start c2", func() error { return db.CallStarted(ctx, row("c2", 200)) }, nil},
			{"start c3", func() error { return db.CallStarted(ctx, row("c3", 50)) }, nil},
			{"start c1 again", func() error { return db.CallStarted(ctx, row("c1", 300)) }, ErrExists},
			{"start in a missing conversation", func() error {
				return db.CallStarted(ctx, CallRow{ID: "c4", Conversation: "group:none", Media: protocol.MediaAudio, Caller: "alice"})
			}, errAny},
			{"answer c2", func() error { return db.CallAnswered(ctx, "c2", 250) }, nil},
			{"answer unknown", func() error { return db.CallAnswered(ctx, "nope", 1) }, ErrNotFound},
			{"end c1", func() error { return db.CallEnded(ctx, "c1", protocol.OutcomeCancelled, 150) }, nil},
			{"end unknown", func() error { return db.CallEnded(ctx, "nope", protocol.OutcomeFailed, 1) }, ErrNotFound},
		} {
			err := tc.do()
			if !matches(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
		want := []CallRow{row("c3", 50), row("c2", 200)}
		want[1].StartedMS = 250
		got, err := db.UnfinishedCalls(ctx)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("UnfinishedCalls = %+v, %v; want %+v", got, err, want)
		}

		// After a restart, the server finds them and ends them.
		db.Close()
		db = s.open(t)
		got, err = db.UnfinishedCalls(ctx)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("UnfinishedCalls after reopen = %+v, %v; want %+v", got, err, want)
		}
		for _, c := range got {
			if err := db.CallEnded(ctx, c.ID, protocol.OutcomeFailed, 1000); err != nil {
				t.Error(err)
			}
		}
		if got, err := db.UnfinishedCalls(ctx); err != nil || len(got) != 0 {
			t.Errorf("UnfinishedCalls after ending them = %+v, %v", got, err)
		}
	})
}
