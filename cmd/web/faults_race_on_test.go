//go:build race

package main

// childRace says the test binary runs under the race detector: a child built the same way reuses its build cache.
const childRace = true
