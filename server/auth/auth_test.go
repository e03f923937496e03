package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), clock)
	other := NewSigner([]byte("another key of thirty-two bytes!"), clock)
	good, _ := s.Issue("alice", time.Hour)
	expired, _ := s.Issue("alice", -time.Second)
	forged, _ := other.Issue("alice", time.Hour)
	body, sig, _ := strings.Cut(good, ".")
	cases := []struct {
		name, token, user string
	}{
		{"good", good, "alice"},
		{"expired", expired, ""},
		{"forged", forged, ""},
		{"empty", "", ""},
		{"no signature", body, ""},
		{"swapped body", strings.Replace(good, body, b64.EncodeToString([]byte("root|9999999999")), 1), ""},
		{"bad base64", body + ".!!" + sig, ""},
		{"long", strings.Repeat("a", 600) + "." + sig, ""},
		{"unused bits of the signature set", body + "." + unusedBitsSet(sig), ""},
		{"unused bits of the body set", unusedBitsSet(body) + "." + sig, ""},
		{"padding", good + "=", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user, err := s.Verify(tc.token)
			if user != tc.user || (tc.user == "") != (err != nil) {
				t.Fatalf("Verify = %q, %v; want %q", user, err, tc.user)
			}
		})
	}
}

// unusedBitsSet sets the 2 low bits of s's last base64 character. They are
// unused in a signature (32 bytes in 43 characters) and in a body of 16
// bytes (22 characters leave 4): the result is another string for the same
// bytes.
func unusedBitsSet(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return s[:len(s)-1] + string(alphabet[strings.IndexByte(alphabet, s[len(s)-1])^3])
}

func TestPasswords(t *testing.T) {
	h := NewHasher(4) // bcrypt's minimum cost keeps the test fast
	ctx := context.Background()
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hash []byte
		pw   string
		ok   bool
	}{
		{hash, "correct horse", true},
		{hash, "wrong horse", false},
		{nil, "correct horse", false},
	} {
		if ok, err := h.Check(ctx, tc.hash, tc.pw); ok != tc.ok || err != nil {
			t.Errorf("Check(%q) = %v, %v; want %v", tc.pw, ok, err, tc.ok)
		}
	}
}

// TestHasherWaitIsBounded: with every slot taken, a check gives up after
// maxWait rather than wait its turn for ever.
func TestHasherWaitIsBounded(t *testing.T) {
	h := NewHasher(4)
	h.maxWait = 50 * time.Millisecond
	for range cap(h.slots) {
		h.slots <- struct{}{}
	}
	done := make(chan error, 2)
	go func() { _, err := h.Check(context.Background(), nil, "password"); done <- err }()
	go func() { _, err := h.Hash(context.Background(), "password"); done <- err }()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want context.DeadlineExceeded", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("still waiting for a slot")
		}
	}
}

func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), nil)
	good, _ := s.Issue("alice", time.Hour)
	f.Add(good)
	f.Add(unusedBitsSet(good))
	f.Add("a.b")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		// Without the key, the one token that can pass is the one issued.
		if user, err := s.Verify(token); err == nil && token != good {
			t.Fatalf("accepted %q for %q", token, user)
		}
	})
}
