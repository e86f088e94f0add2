// The three Argo CD components the cluster suites run, in one binary: the application controller,
// the repo server and the ApplicationSet controller (for the previews), chosen by ARGOCD_BINARY_NAME
// as in Argo CD's own multi-call binary. Only these command trees are linked, not the CLI, API
// server and notifications, which the suites never start.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	appsetcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-applicationset-controller/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func main() {
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
	// Argo CD's main also calls grpc.DisableSRVLookups(), undoing what grpc's grpclb balancer turns
	// on when it is linked; it is not linked here, so SRV lookups are off already (and that call
	// panics when it finds them off).
	var command *cobra.Command
	switch name := os.Getenv("ARGOCD_BINARY_NAME"); name {
	case common.CommandApplicationController:
		command = appcontroller.NewCommand()
	case common.CommandRepoServer:
		command = reposerver.NewCommand()
	case common.CommandApplicationSetController:
		command = appsetcontroller.NewCommand()
	default:
		fmt.Fprintf(os.Stderr, "ARGOCD_BINARY_NAME is %q; this build runs only %s or %s\n", name, common.CommandApplicationController, common.CommandRepoServer)
		os.Exit(2)
	}
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}
