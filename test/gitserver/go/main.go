// Command gitserver serves Git repositories over smart HTTP (git's own
// git-http-backend run as CGI) under /git/ and a static Helm chart repository
// under /charts/, on loopback, for Argo CD's repo-server and Flux's
// source-controller. It prints "listening on http://ADDR" once it serves.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	gitRoot := flag.String("git-root", "", "directory holding the bare repositories (<name>.git)")
	charts := flag.String("charts", "", "directory served as the Helm chart repository (index.yaml and .tgz files)")
	backend := flag.String("git-http-backend", "", "path of git-http-backend (default: `git --exec-path`/git-http-backend)")
	flag.Parse()
	if *gitRoot == "" || *charts == "" {
		log.Fatal("--git-root and --charts are required")
	}
	if *backend == "" {
		out, err := exec.Command("git", "--exec-path").Output()
		if err != nil {
			log.Fatalf("git is needed on PATH (git --exec-path: %v)", err)
		}
		*backend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	}
	if _, err := os.Stat(*backend); err != nil {
		log.Fatalf("git-http-backend not found: %v", err)
	}

	mux := http.NewServeMux()
	mux.Handle("/git/", &cgi.Handler{
		Path: *backend,
		Root: "/git",
		Env: []string{
			"GIT_PROJECT_ROOT=" + *gitRoot,
			"GIT_HTTP_EXPORT_ALL=1",
			// Pushes over HTTP are allowed: the server only ever listens on loopback.
			"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true",
		},
	})
	mux.Handle("/charts/", http.StripPrefix("/charts/", http.FileServer(http.Dir(*charts))))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen on %s: %v", *addr, err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, logRequests(mux)))
}

// logRequests writes one line per request to stderr, for the test's logs.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.RequestURI())
		next.ServeHTTP(w, r)
	})
}
