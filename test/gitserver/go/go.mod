// The local Git and Helm chart server of the tests and the tour: standard
// library only, so it builds in seconds and needs no module download.
module depot.sh/gitserver

go 1.26.0
