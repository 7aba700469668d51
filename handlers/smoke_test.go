package handlers

import "testing"

func TestSmoke(t *testing.T) {
	env := newTestEnv(t)
	c := env.signedInClient(t, "admin")
	r := env.get(t, c, "/properties")
	wantStatus(t, r, 200)
	t.Log(text(one(t, r.doc, "result-count")), env.upstream.n.Load())
}
