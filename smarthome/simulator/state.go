package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateVersion is bumped when the persisted shape changes incompatibly; an old file is then refused, not misread.
const stateVersion = 1

// state is everything the simulator knows. One mutex in Simulator guards it; it is saved and restored as JSON, so a
// restarted simulator (StatePath) or a test (PUT /_sim/state) continues exactly where it was, ids and random stream
// included.
type state struct {
	Version        int                    `json:"version"`
	Seed           int64                  `json:"seed"`
	RNG            []byte                 `json:"rng"`     // the PCG state, so ids stay deterministic across restarts
	JWTKey         []byte                 `json:"jwt_key"` // signs resident JWTs; kept so tokens survive a restart
	NextProperty   int64                  `json:"next_property_id"`
	NextResv       int64                  `json:"next_reservation_id"`
	NextInvite     int64                  `json:"next_invitation_id"`
	NextJob        uint64                 `json:"next_job"`
	Properties     map[int64]*property    `json:"properties"`
	Hubs           map[string]*hub        `json:"hubs"`
	Devices        map[string]*device     `json:"devices"`
	LockCodes      map[string]*lockCode   `json:"lock_codes"`
	Lockboxes      map[string]*lockbox    `json:"lockboxes"`
	Reservations   map[int64]*reservation `json:"reservations"`
	Invitations    map[int64]*invitation  `json:"invitations"`
	Schedules      map[string]*schedule   `json:"schedules"`
	Jobs           jobQueue               `json:"jobs"`
	AgentTokens    map[string]agentToken  `json:"agent_tokens"`   // sha256(token) -> session
	RefreshTokens  map[string]string      `json:"refresh_tokens"` // sha256(token) -> resident email
	PropertyTokens map[string]agentToken  `json:"property_tokens"`
	LastTick       time.Time              `json:"last_tick"`
	LifeDebt       float64                `json:"life_debt"`

	pcg *rand.PCG
	rng *rand.Rand
	ix  *index // nil when stale; rebuilt on demand by idx
}

// agentToken is an issued opaque token: who holds it and until when.
type agentToken struct {
	Username   string    `json:"username"`
	PropertyID int64     `json:"property_id,omitempty"`
	Expires    time.Time `json:"expires"`
}

// index holds the lookups derived from state. It is never persisted, and it is dropped (invalidate) whenever
// ownership changes, which is rare; rebuilding for 5,000 properties takes milliseconds.
type index struct {
	hubsByProperty map[int64][]*hub
	devsByHub      map[string][]*device
	devsByProperty map[int64][]*device
	hubBySerial    map[int64]*hub
	sortedProps    []*property
	sortedHubs     []*hub
}

func newState(seed int64) *state {
	st := &state{
		Version:        stateVersion,
		Seed:           seed,
		NextProperty:   101,
		NextResv:       1,
		NextInvite:     1,
		Properties:     map[int64]*property{},
		Hubs:           map[string]*hub{},
		Devices:        map[string]*device{},
		LockCodes:      map[string]*lockCode{},
		Lockboxes:      map[string]*lockbox{},
		Reservations:   map[int64]*reservation{},
		Invitations:    map[int64]*invitation{},
		Schedules:      map[string]*schedule{},
		AgentTokens:    map[string]agentToken{},
		RefreshTokens:  map[string]string{},
		PropertyTokens: map[string]agentToken{},
	}
	st.pcg = rand.NewPCG(uint64(seed), 0x5eed0002)
	st.rng = rand.New(st.pcg)
	return st
}

// invalidate drops the derived index after a change of ownership (device added or removed, hub or device moved).
func (st *state) invalidate() { st.ix = nil }

// idx returns the derived index, rebuilding it when stale.
func (st *state) idx() *index {
	if st.ix != nil {
		return st.ix
	}
	ix := &index{
		hubsByProperty: map[int64][]*hub{},
		devsByHub:      map[string][]*device{},
		devsByProperty: map[int64][]*device{},
		hubBySerial:    make(map[int64]*hub, len(st.Hubs)),
	}
	for _, p := range st.Properties {
		ix.sortedProps = append(ix.sortedProps, p)
	}
	slices.SortFunc(ix.sortedProps, func(a, b *property) int { return cmp.Compare(a.ID, b.ID) })
	for _, h := range st.Hubs {
		ix.sortedHubs = append(ix.sortedHubs, h)
		ix.hubBySerial[h.Serial] = h
	}
	slices.SortFunc(ix.sortedHubs, func(a, b *hub) int { return cmp.Compare(a.Serial, b.Serial) })
	for _, h := range ix.sortedHubs {
		if h.PropertyID != 0 {
			ix.hubsByProperty[h.PropertyID] = append(ix.hubsByProperty[h.PropertyID], h)
		}
	}
	devs := make([]*device, 0, len(st.Devices))
	for _, d := range st.Devices {
		devs = append(devs, d)
	}
	slices.SortFunc(devs, func(a, b *device) int {
		ha, hb := st.Hubs[a.HubID], st.Hubs[b.HubID]
		if c := cmp.Compare(serialOf(ha), serialOf(hb)); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.NodeID, b.NodeID), cmp.Compare(a.ID, b.ID))
	})
	for _, d := range devs {
		ix.devsByHub[d.HubID] = append(ix.devsByHub[d.HubID], d)
		if d.PropertyID != 0 {
			ix.devsByProperty[d.PropertyID] = append(ix.devsByProperty[d.PropertyID], d)
		}
	}
	st.ix = ix
	return ix
}

func serialOf(h *hub) int64 {
	if h == nil {
		return 0
	}
	return h.Serial
}

// marshal snapshots the state as JSON (compact: 5,000 properties are tens of megabytes).
func (st *state) marshal() ([]byte, error) {
	rng, err := st.pcg.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("simulator: save random state: %w", err)
	}
	st.RNG = rng
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("simulator: encode state: %w", err)
	}
	return b, nil
}

// unmarshalState decodes a saved state and restores what JSON can't carry (random stream, empty maps, heap order).
func unmarshalState(b []byte) (*state, error) {
	st := newState(0)
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("simulator: decode state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("simulator: state version %d, want %d", st.Version, stateVersion)
	}
	st.pcg = rand.NewPCG(uint64(st.Seed), 0x5eed0002)
	if len(st.RNG) > 0 {
		if err := st.pcg.UnmarshalBinary(st.RNG); err != nil {
			return nil, fmt.Errorf("simulator: decode random state: %w", err)
		}
	}
	st.rng = rand.New(st.pcg)
	st.fillNilMaps()
	st.Jobs.init()
	return st, nil
}

// fillNilMaps makes a hand-edited state file with missing sections usable.
func (st *state) fillNilMaps() {
	initMap(&st.Properties)
	initMap(&st.Hubs)
	initMap(&st.Devices)
	initMap(&st.LockCodes)
	initMap(&st.Lockboxes)
	initMap(&st.Reservations)
	initMap(&st.Invitations)
	initMap(&st.Schedules)
	initMap(&st.AgentTokens)
	initMap(&st.RefreshTokens)
	initMap(&st.PropertyTokens)
	for _, d := range st.Devices {
		if isCodeDevice(d.Type) {
			initMap(&d.Codes)
			initMap(&d.SettingErrors)
		}
	}
}

func initMap[K comparable, V any](m *map[K]V) {
	if *m == nil {
		*m = map[K]V{}
	}
}

// writeFileAtomic replaces path with b so a crash never leaves half a state file behind.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("simulator: save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("simulator: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("simulator: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("simulator: save state: %w", err)
	}
	return nil
}
