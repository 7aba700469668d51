//go:build sqlite_fts5

package main

// childTags are the build tags of this test binary, passed on when a test builds cmd/web as a child process, so
// the child is the same program (and its build is served from the same cache).
const childTags = "sqlite_fts5"
