// CoreDNS for the real nodes' cluster DNS pod (CP_WITH_NODES=1, docs/CONTROL-PLANE.md), linked with
// only the plugins of the Corefile that hack/control-plane/nodes.sh gives it: errors, health, ready,
// kubernetes and cache. Upstream's main links all of them, cloud providers' SDKs included (1,409
// packages against 797 here), for about twice the CPU of a cold build. A plugin the Corefile names
// and this main does not link fails CoreDNS at start.
package main

import (
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	coremain.Run()
}
