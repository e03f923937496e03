package store

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := s.open(t)
		before := time.Now().UnixMilli()
		for _, tc := range []struct {
			name string
			hash []byte
			want error
		}{
			{"alice", []byte("hash a"), nil},
			{"bob", []byte("hash b"), nil},
			{"alice", []byte("other"), ErrExists},
			{"carol", []byte{}, nil},
		} {
			if err := db.CreateUser(ctx, tc.name, tc.hash); !errors.Is(err, tc.want) {
				t.Errorf("CreateUser(%q): %v, want %v", tc.name, err, tc.want)
			}
		}

		for _, tc := range []struct {
			name string
			hash []byte
			want error
		}{
			{"alice", []byte("hash a"), nil}, // the first one stays
			{"bob", []byte("hash b"), nil},
			{"carol", []byte{}, nil},
			{"nobody", nil, ErrNotFound},
			{"", nil, ErrNotFound},
		} {
			u, err := db.User(ctx, tc.name)
			if !errors.Is(err, tc.want) {
				t.Errorf("User(%q): %v, want %v", tc.name, err, tc.want)
				continue
			}
			if err != nil {
				continue
			}
			if u.Name != tc.name || !bytes.Equal(u.PasswordHash, tc.hash) || u.CreatedMS < before {
				t.Errorf("User(%q) = %+v, want hash %q created after %d", tc.name, u, tc.hash, before)
			}
		}

		for _, tc := range []struct {
			names, want []string
		}{
			{nil, nil},
			{[]string{"alice", "bob"}, nil},
			{[]string{"zed", "alice", "yves"}, []string{"zed", "yves"}},
			{[]string{"zed", "zed"}, []string{"zed", "zed"}},
		} {
			got, err := db.MissingUsers(ctx, tc.names)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("MissingUsers(%q) = %q, %v; want %q", tc.names, got, err, tc.want)
			}
		}
	})
}

func TestSecret(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		db := s.open(t)
		// Concurrent first calls must agree on one key.
		secrets := make([][]byte, 4)
		var wg sync.WaitGroup
		for i := range secrets {
			wg.Go(func() {
				s, err := db.Secret(t.Context())
				if err != nil {
					t.Error(err)
				}
				secrets[i] = s
			})
		}
		wg.Wait()
		if len(secrets[0]) != 32 || bytes.Equal(secrets[0], make([]byte, 32)) {
			t.Fatalf("secret %x, want 32 random bytes", secrets[0])
		}
		for _, s := range secrets[1:] {
			if !bytes.Equal(s, secrets[0]) {
				t.Errorf("secrets differ: %x and %x", s, secrets[0])
			}
		}
		again, err := db.Secret(t.Context())
		if err != nil || !bytes.Equal(again, secrets[0]) {
			t.Errorf("second Secret: %x, %v; want %x", again, err, secrets[0])
		}
	})
}
