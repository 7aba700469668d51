//go:build !sqlite_fts5

package main

// childTags are the build tags of this test binary (none here): see faults_tags_fts5_test.go.
const childTags = ""
