package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"parley/client"
	"parley/protocol"
)

// invocation is a parsed command line.
type invocation struct {
	server, user, password string
	roots                  *x509.CertPool // of --ca-file: a private CA; nil: the system's
	verbose                bool
	cmd                    command
	getenv                 func(string) string
}

// parsers parse each command's arguments. me is the --user.
var parsers = map[string]func(me string, args []string) (command, error){
	"register": parseRegister,
	"group":    parseGroup,
	"send":     parseSend,
	"history":  parseHistory,
	"call":     parseCall,
	"answer":   parseAnswer,
	"join":     parseJoin,
}

// parse parses the command line. Every error it returns is a bad argument,
// or flag.ErrHelp for -h.
func parse(args []string, getenv func(string) string) (*invocation, error) {
	inv := invocation{getenv: getenv}
	fs := newFlagSet("parley-cli")
	fs.StringVar(&inv.server, "server", "", "")
	fs.StringVar(&inv.user, "user", "", "")
	fs.StringVar(&inv.password, "password", "", "")
	caFile := fs.String("ca-file", "", "")
	fs.BoolVar(&inv.verbose, "v", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() == 0 {
		return nil, errors.New("no command")
	}
	name := fs.Arg(0)
	p := parsers[name]
	if p == nil {
		return nil, fmt.Errorf("unknown command %q", name)
	}
	cmd, err := p(inv.user, fs.Args()[1:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	inv.cmd = cmd
	if inv.password == "" {
		inv.password = getenv("PARLEY_PASSWORD")
	}
	switch {
	case inv.server == "":
		return nil, errors.New("--server is missing")
	case inv.user == "":
		return nil, errors.New("--user is missing")
	case inv.password == "":
		return nil, errors.New("no password: give --password or set PARLEY_PASSWORD")
	}
	if err := protocol.ValidUserName(inv.user); err != nil {
		return nil, fmt.Errorf("--user: %w", err)
	}
	if *caFile != "" {
		roots, err := client.LoadRootCAs(*caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		inv.roots = roots
	}
	return &inv, nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	return fs
}

// parseArgs parses a command's flags, which may come before, between or
// after its positional arguments, and returns the positional ones. "--"
// ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// conversationOf maps a PEER: a user means the direct conversation with
// them, group:ID the group.
func conversationOf(me, peer string) (string, error) {
	if strings.HasPrefix(peer, protocol.GroupConversation("")) {
		return peer, protocol.ValidConversation(peer)
	}
	if protocol.ValidUserName(peer) != nil {
		return "", fmt.Errorf("PEER %q is neither a user name nor group:ID", peer)
	}
	if peer == me {
		return "", fmt.Errorf("PEER %s is yourself", peer)
	}
	return protocol.DirectConversation(me, peer), nil
}
