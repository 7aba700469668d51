//go:build !race

package main

// childRace says the test binary runs under the race detector (not here): see faults_race_on_test.go.
const childRace = false
