// Command argocd is the part of Argo CD's multi-call binary (cmd/main.go of
// github.com/argoproj/argo-cd/v3) that the integration tests and the tour run as plain
// processes, plus an in-process Redis (miniredis) so nothing is installed from the OS.
// It dispatches on ARGOCD_BINARY_NAME like upstream; building only these commands keeps the
// build at about 1,750 packages instead of 2,300.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/alicebob/miniredis/v2"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	applicationset "github.com/argoproj/argo-cd/v3/cmd/argocd-applicationset-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func init() {
	// As upstream: klog follows the configured log level and format.
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
}

func main() {
	exitWithParent()
	// Upstream calls grpc.DisableSRVLookups() here; it panics unless the
	// grpclb balancer (linked into upstream's full binary, not into this one)
	// turned SRV lookups on. Without it they are off already.
	name := filepath.Base(os.Args[0])
	if v := os.Getenv("ARGOCD_BINARY_NAME"); v != "" {
		name = v
	}
	var command *cobra.Command
	switch name {
	case "argocd-application-controller":
		command = appcontroller.NewCommand()
	case "argocd-repo-server":
		command = reposerver.NewCommand()
	case "argocd-applicationset-controller":
		command = applicationset.NewCommand()
	case "argocd-git-ask-pass":
		command = gitaskpass.NewCommand()
	case "argocd-redis":
		runRedis()
		return
	default:
		fmt.Fprintf(os.Stderr, "argocd (Depot test build): unknown ARGOCD_BINARY_NAME %q; expected argocd-application-controller, argocd-repo-server, argocd-applicationset-controller, argocd-git-ask-pass or argocd-redis\n", name)
		os.Exit(2)
	}
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}

// runRedis serves an in-memory Redis on the address in ARGOCD_REDIS_ADDR
// (host:port) until SIGTERM or SIGINT.
func runRedis() {
	addr := os.Getenv("ARGOCD_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		fmt.Fprintf(os.Stderr, "argocd-redis: cannot listen on %s: %v\n", addr, err)
		os.Exit(1)
	}
	fmt.Printf("argocd-redis: serving on %s\n", m.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	m.Close()
}

// exitWithParent: with DEPOT_PARENT_PID set (the tests and the tour do), the
// process gets SIGTERM when the process that started it dies, so that a
// killed test run or tour leaves no Argo CD behind.
func exitWithParent() {
	want := os.Getenv("DEPOT_PARENT_PID")
	if want == "" {
		return
	}
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0); err != nil {
		fmt.Fprintf(os.Stderr, "argocd: cannot ask for a parent-death signal: %v\n", err)
	}
	// The parent may have died before the call above.
	if fmt.Sprint(os.Getppid()) != want {
		os.Exit(1)
	}
}
