package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/internal/harness"
)

// The trusted certificate authority of Settings takes a PEM certificate,
// refuses a file without one or one it cannot read (saying so, the setting
// unchanged), is remembered after a restart on the sign-in screen and in
// Settings, and Clear forgets it.
func TestTrustedCAIsCheckedAndRemembered(t *testing.T) {
	certs := harness.NewCertificates(t, "Parley test CA")
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ui := newUILoop(t)
	a := New(ui, TestMedia(true))
	a.showSettings()
	ca := a.setView.CA
	ca.Use(certs.CA)
	if got := a.currentSettings().CAFile; got != certs.CA || ca.Problem.Visible() {
		t.Fatalf("the CA file is %q, problem %q", got, ca.Problem.Text)
	}
	for file, says := range map[string]string{
		notes:                        notes + " holds no PEM certificate",
		notes + ".missing":           "Cannot read the certificate file: open " + notes + ".missing: no such file or directory",
		filepath.Dir(certs.CA) + "/": "Cannot read the certificate file: read " + filepath.Dir(certs.CA) + "/: is a directory",
	} {
		ca.Use(file)
		if !ca.Problem.Visible() || ca.Problem.Text != says {
			t.Errorf("%s: says %q, want %q", file, ca.Problem.Text, says)
		}
		if got := a.currentSettings().CAFile; got != certs.CA || ca.File.Text != certs.CA {
			t.Errorf("%s: the setting became %q, the field shows %q", file, got, ca.File.Text)
		}
	}
	a.Close()

	again := New(ui, TestMedia(true))
	defer again.Close()
	again.ShowSignIn()
	if got := again.signInView.CA.File.Text; got != certs.CA {
		t.Fatalf("after a restart the sign-in screen shows %q", got)
	}
	again.showSettings()
	test.Tap(again.setView.CA.Clear)
	if got := loadSettings(ui.Preferences()).CAFile; got != "" {
		t.Fatalf("cleared, the preferences keep %q", got)
	}
}

// Signing in to an https:// server with a private CA's certificate, by the
// sign-in screen: refused without the CA, saying where to add it, and
// signed in (login and websocket) once the CA is added there.
func TestSignInOverHTTPSWithPrivateCA(t *testing.T) {
	certs := harness.NewCertificates(t, "Parley test CA")
	srv := harness.StartServer(t, "", "--tls-cert", certs.Cert, "--tls-key", certs.Key)
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("the server is at %s", srv.URL)
	}
	srv.AddUser("alice", "pw-alice")
	ui := newUILoop(t)
	a := New(ui, TestMedia(true))
	defer a.Close()
	a.ShowSignIn()
	si := a.signInView
	si.Mode.SetSelected("Connect to a server")
	si.URL.SetText(srv.URL)
	si.User.SetText("alice")
	si.Password.SetText("pw-alice")

	test.Tap(si.SignIn)
	ui.eventually(t, "the sign-in to end", func() bool { return !si.SignIn.Disabled() })
	want := "The certificate of " + srv.URL + " is not signed by an authority this computer trusts. " +
		"If the server has a private CA, add its file under Trusted certificate authority, here or in Settings."
	if si.Status.Text != want {
		t.Fatalf("without the CA the sign-in says %q", si.Status.Text)
	}

	si.CA.Use(certs.CA)
	test.Tap(si.SignIn)
	signedIn := func() bool { return a.signIn.Title() == "Parley — alice" }
	ui.eventually(t, "the sign-in to end", func() bool { return signedIn() || !si.SignIn.Disabled() })
	if !signedIn() {
		t.Fatalf("with the CA the sign-in says %q", si.Status.Text)
	}
}
