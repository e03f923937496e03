// Package auth issues and checks Parley's session tokens and hashes
// passwords. A token is the idea of Tencent's UserSig: the server signs the
// user's name and an expiry with a key only it knows, so checking one needs
// no storage.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrBadToken is returned for a token that is malformed, forged or expired.
var ErrBadToken = errors.New("token is malformed, forged or expired")

// Signer makes and checks tokens.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer with key (at least 32 bytes).
func NewSigner(key []byte, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{key: key, now: now}
}

// b64 is strict: a token's unused low bits must be zero, so that no two
// strings are the same token.
var b64 = base64.RawURLEncoding.Strict()

// Issue returns a token for user valid for ttl.
func (s *Signer) Issue(user string, ttl time.Duration) (token string, expires time.Time) {
	expires = s.now().Add(ttl).Truncate(time.Second)
	body := user + "|" + strconv.FormatInt(expires.Unix(), 10)
	return b64.EncodeToString([]byte(body)) + "." + b64.EncodeToString(s.mac(body)), expires
}

func (s *Signer) mac(body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("parley-token-v1|"))
	m.Write([]byte(body))
	return m.Sum(nil)
}

// Verify returns the user a token was issued to.
func (s *Signer) Verify(token string) (string, error) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return "", ErrBadToken
	}
	body, err1 := b64.DecodeString(enc)
	mac, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(body))) {
		return "", ErrBadToken
	}
	user, exp, ok := strings.Cut(string(body), "|")
	if !ok || user == "" {
		return "", ErrBadToken
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !s.now().Before(time.Unix(unix, 0)) {
		return "", ErrBadToken
	}
	return user, nil
}

// Hasher hashes and checks passwords with bcrypt, at most a few at a time:
// each costs tens of milliseconds of CPU, and a burst of logins must not
// starve call signaling. The rest wait their turn in line, for at most
// maxWait: past that their client has likely given up (the HTTP reply has
// 30 s), and hashing for nobody would only make the line longer.
type Hasher struct {
	cost    int
	slots   chan struct{}
	maxWait time.Duration
	dummy   []byte
}

// NewHasher returns a Hasher of the given bcrypt cost (0: bcrypt's default)
// keeping at most half the CPUs (at least one) busy: the other half stays
// free for signaling however many logins come at once.
func NewHasher(cost int) *Hasher {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h := &Hasher{cost: cost, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)), maxWait: 10 * time.Second}
	h.dummy, _ = bcrypt.GenerateFromPassword([]byte("parley-no-such-user"), cost)
	return h
}

// acquire waits for a slot; it fails with ctx's error, or
// context.DeadlineExceeded after maxWait.
func (h *Hasher) acquire(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.maxWait)
	defer cancel()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hash returns the stored form of password.
func (h *Hasher) Hash(ctx context.Context, password string) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.slots }()
	return bcrypt.GenerateFromPassword([]byte(password), h.cost)
}

// Check reports whether password matches hash. A nil hash (no such user) is
// checked against a dummy so that the answer takes as long either way.
func (h *Hasher) Check(ctx context.Context, hash []byte, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-h.slots }()
	if hash == nil {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password))
		return false, nil
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil, nil
}
