//go:build !race

package simulator

// raceEnabled loosens timing assertions under the race detector.
const raceEnabled = false
