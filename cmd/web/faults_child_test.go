package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildWebBinary builds cmd/web (this package) into a temp file, with the tags and race setting of the test binary
// so the build reuses its cache. It is built once per test binary.
func buildWebBinary(t *testing.T) string {
	t.Helper()
	webBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dashboard-web-*")
		if err != nil {
			webBinErr = err
			return
		}
		webBinPath = filepath.Join(dir, "web")
		args := []string{"build", "-o", webBinPath}
		if childTags != "" {
			args = append(args, "-tags", childTags)
		}
		if childRace {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Env = append(os.Environ(), "GOFLAGS=", "CGO_ENABLED=1") // the flags above say everything
		if out, err := cmd.CombinedOutput(); err != nil {
			webBinErr = &buildError{err: err, out: string(out)}
		}
	})
	if webBinErr != nil {
		t.Fatalf("go build cmd/web: %v", webBinErr)
	}
	return webBinPath
}

var (
	webBinOnce sync.Once
	webBinPath string
	webBinErr  error
)

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// child is the dashboard running as its own process.
type child struct {
	URL  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed once the process has exited and its output is drained
	err  error         // the exit error, valid after done
}

// startChild runs bin with env (on top of a minimal environment) and waits for its "listening" line and a 200 from
// /healthz. The process is killed when the test ends, if it still runs.
func startChild(t *testing.T, bin string, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = lineWriter{c.logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.Contains(line, `"msg":"request"`) {
				continue // access log lines: thousands per round, and not what a failure needs
			}
			c.logs.WriteLine(line)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		c.err = cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	select {
	case a := <-addr:
		c.URL = "http://" + a
	case <-c.done:
		t.Fatalf("the dashboard exited early: %v\n%s", c.err, c.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no listening line within 60s\n%s", c.logs.String())
	}
	waitFor(t, 30*time.Second, "/healthz 200", func() (bool, error) {
		resp, err := http.Get(c.URL + "/healthz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, errNotYet
	})
	return c
}

// kill sends SIGKILL and waits until the process is gone.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the killed dashboard did not exit")
	}
}

// lineWriter feeds stderr into the log buffer (the app logs to stdout; stderr carries only fatal errors).
type lineWriter struct{ b *syncBuffer }

func (w lineWriter) Write(p []byte) (int, error) {
	w.b.WriteLine(string(p))
	return len(p), nil
}
