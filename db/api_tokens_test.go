package db

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testTokenHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestAPITokens runs a token's life on both backends: create (hash only, unique lookup, creator's name), read by
// lookup and id, the throttled last use, revocation once, and the list order.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		admin, err := s.CreateUser(ctx, User{Email: "admin@example.com", Name: "Ada", Role: RoleAdmin})
		must(t, err)
		a, err := s.CreateAPIToken(ctx, APIToken{Lookup: "aaaaaaaaaaaaaaaa", Hash: testTokenHash("a"), Name: "Billing",
			Role: RoleAuditor, CreatedBy: &admin.ID, CreatedAt: t0})
		must(t, err)
		if _, err := s.CreateAPIToken(ctx, APIToken{Lookup: "aaaaaaaaaaaaaaaa", Hash: testTokenHash("b"), Name: "x",
			Role: RoleStaff}); !errors.Is(err, ErrConflict) {
			t.Fatalf("lookup taken twice: %v", err)
		}
		for _, bad := range []APIToken{
			{Lookup: "short", Hash: testTokenHash("c"), Name: "x", Role: RoleStaff},
			{Lookup: "cccccccccccccccc", Hash: "kd_raw_token_not_a_hash", Name: "x", Role: RoleStaff},
			{Lookup: "cccccccccccccccc", Hash: testTokenHash("c"), Name: "", Role: RoleStaff},
			{Lookup: "cccccccccccccccc", Hash: testTokenHash("c"), Name: "x", Role: "root"},
		} {
			if _, err := s.CreateAPIToken(ctx, bad); err == nil {
				t.Errorf("created %+v", bad)
			}
		}
		b, err := s.CreateAPIToken(ctx, APIToken{Lookup: "bbbbbbbbbbbbbbbb", Hash: testTokenHash("b"), Name: "Sync",
			Role: RoleStaff, CreatedAt: t0.Add(time.Minute)})
		must(t, err)

		got, err := s.APITokenByLookup(ctx, "aaaaaaaaaaaaaaaa")
		must(t, err)
		if got.ID != a.ID || got.Hash != testTokenHash("a") || got.Role != RoleAuditor || got.CreatorName != "Ada" ||
			!got.CreatedAt.Equal(t0) || got.LastUsedAt != nil || got.RevokedAt != nil {
			t.Fatalf("by lookup %+v", got)
		}
		if _, err := s.APITokenByLookup(ctx, "zzzzzzzzzzzzzzzz"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown lookup: %v", err)
		}

		// The last use is written at most once per minute.
		for i, tt := range []struct {
			at    time.Time
			wrote bool
		}{{t0.Add(time.Hour), true}, {t0.Add(time.Hour + 30*time.Second), false}, {t0.Add(time.Hour + time.Minute), true}} {
			wrote, err := s.TouchAPIToken(ctx, a.ID, tt.at, time.Minute)
			must(t, err)
			if wrote != tt.wrote {
				t.Errorf("touch %d at %s: wrote %v, want %v", i, tt.at, wrote, tt.wrote)
			}
		}
		got, err = s.APITokenByID(ctx, a.ID)
		must(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0.Add(time.Hour+time.Minute)) {
			t.Errorf("last used %v", got.LastUsedAt)
		}

		must(t, s.RevokeAPIToken(ctx, a.ID, t0.Add(2*time.Hour)))
		if err := s.RevokeAPIToken(ctx, a.ID, t0.Add(3*time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("second revocation: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, 99999, t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown token revoked: %v", err)
		}
		list, err := s.ListAPITokens(ctx)
		must(t, err)
		if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[1].RevokedAt == nil ||
			!list[1].RevokedAt.Equal(t0.Add(2*time.Hour)) || list[0].CreatorName != "" {
			t.Errorf("list %+v", list)
		}
	})
}

// TestMirrorPagesByID: the API's mirror lists page by id on both backends: every row once, in order, filters kept.
func TestMirrorPagesByID(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		for i := range 7 {
			must(t, s.UpsertProperty(ctx, Property{ID: int64(10 + i), Name: "P" + strconv.Itoa(i), TimeZone: "UTC"}))
		}
		for i := range 5 {
			pid := int64(10 + i%2)
			must(t, s.UpsertHub(ctx, Hub{ID: "hub-" + strconv.Itoa(i), PropertyID: &pid, SerialNo: strconv.Itoa(i)}))
		}
		var ids []string
		for f := (MirrorFilter{Limit: 3}); ; {
			pg, err := s.PropertiesByID(ctx, f)
			must(t, err)
			for _, p := range pg.Items {
				ids = append(ids, strconv.FormatInt(p.ID, 10))
			}
			if pg.After == "" {
				break
			}
			f.After = pg.After
		}
		if got := strings.Join(ids, ","); got != "10,11,12,13,14,15,16" {
			t.Errorf("properties %s", got)
		}
		pg, err := s.HubsByID(ctx, MirrorFilter{PropertyID: 10, Limit: 2})
		must(t, err)
		if len(pg.Items) != 2 || pg.Items[0].ID != "hub-0" || pg.Items[1].ID != "hub-2" || pg.After != "hub-2" {
			t.Fatalf("hubs of 10: %+v", pg)
		}
		pg, err = s.HubsByID(ctx, MirrorFilter{PropertyID: 10, Limit: 2, After: pg.After})
		must(t, err)
		if len(pg.Items) != 1 || pg.Items[0].ID != "hub-4" || pg.After != "" {
			t.Fatalf("hubs of 10, page 2: %+v", pg)
		}
		codes, err := s.CodeStatusesByID(ctx, MirrorFilter{Limit: 10})
		must(t, err)
		if len(codes.Items) != 0 || codes.After != "" {
			t.Errorf("codes %+v", codes)
		}
		if _, err := s.CodeStatusByID(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown code: %v", err)
		}
	})
}
