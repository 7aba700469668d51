//go:build race

package live

// raceDetector reports whether the tests run under -race, which makes every call 5–10× slower.
const raceDetector = true
