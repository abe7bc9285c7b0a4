package webhooks

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// blocked are the address ranges a webhook may not reach unless private
// destinations are allowed: loopback, private networks, link-local (cloud
// metadata services live there), carrier-grade NAT, unique-local,
// unspecified, multicast and the other special-purpose blocks.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// privateAddr reports whether ip is in a blocked range (an IPv4 address
// mapped into IPv6 counts as its IPv4 self).
func privateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// checkHost resolves host and refuses it when any of its addresses is private.
func checkHost(ctx context.Context, r *net.Resolver, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if privateAddr(ip) {
			return fmt.Errorf("%s is a private or loopback address", host)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("cannot resolve %s: %v", host, err)
	}
	for _, a := range addrs {
		if privateAddr(a) {
			return fmt.Errorf("%s resolves to %s, a private or loopback address", host, a)
		}
	}
	return nil
}

// guardedDialer refuses, at connection time, any private address: a host
// that resolved to a public address when the webhook was created and to a
// private one now (DNS rebinding) is refused too.
func guardedDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if allowPrivate {
		return d
	}
	d.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook destination %s: %w", address, err)
		}
		if privateAddr(ap.Addr()) {
			return fmt.Errorf("webhook destination %s is a private or loopback address", ap.Addr())
		}
		return nil
	}
	return d
}
