package simulator

import (
	"cmp"
	"net/http"
	"slices"
)

// visibleCode reports whether an agent may see lc (its hub belongs to the agent's company).
func (s *Simulator) visibleCode(p principal, lc *lockCode) bool {
	h := s.st.Hubs[lc.HubID]
	return h == nil || s.canSeeHub(p, h)
}

// lookupLockCode finds a visible lock code by the {id} path value. Callers hold s.mu.
func (s *Simulator) lookupLockCode(r *http.Request, p principal) (*lockCode, error) {
	lc := s.st.LockCodes[r.PathValue("id")]
	if lc == nil {
		return nil, notFound("Lock code not found")
	}
	if !s.visibleCode(p, lc) {
		return nil, forbidden("You do not have access to this lock code")
	}
	return lc, nil
}

// handleLockCodeList: GET /api/lock_codes?device_id=&hub_id=&property_id=&page=&per_page= [INF].
func (s *Simulator) handleLockCodeList(w http.ResponseWriter, r *http.Request, p principal) error {
	q := r.URL.Query()
	pg, err := parsePage(q)
	if err != nil {
		return err
	}
	propertyID, err := queryInt(q, "property_id")
	if err != nil {
		return err
	}
	deviceID, hubID := q.Get("device_id"), q.Get("hub_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	var codes []*lockCode
	for _, lc := range s.st.LockCodes {
		onDevice := deviceID == "" || slices.ContainsFunc(lc.Devices, func(e codeDevice) bool {
			return e.DeviceID == deviceID && e.Status != codeRemoved
		})
		onHub := hubID == "" || slices.ContainsFunc(lc.Devices, func(e codeDevice) bool {
			d := s.st.Devices[e.DeviceID]
			return d != nil && d.HubID == hubID && e.Status != codeRemoved
		})
		if onDevice && onHub && (propertyID == 0 || lc.PropertyID == propertyID) && s.visibleCode(p, lc) {
			codes = append(codes, lc)
		}
	}
	slices.SortFunc(codes, func(a, b *lockCode) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	views := make([]lockCodeJSON, len(codes))
	for i, lc := range codes {
		views[i] = s.lockCodeView(lc)
	}
	writeJSON(w, http.StatusOK, paged("lock_codes", views, pg))
	return nil
}

// handleLockCodeGet: GET /api/lock_codes/{id} [INF].
func (s *Simulator) handleLockCodeGet(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, err := s.lookupLockCode(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.lockCodeView(lc))
	return nil
}

// lockCodeUpdate is PUT /api/lock_codes/{id}: any of name, code and the validity fields.
type lockCodeUpdate struct {
	Name         *string             `json:"name"`
	Code         *flexString         `json:"code"`
	ValidityType *string             `json:"validity_type"`
	FromDate     *string             `json:"from_date"`
	ToDate       *string             `json:"to_date"`
	Schedule     *[]scheduleDetailIn `json:"schedule_details_info"`
	CodeType     *string             `json:"code_type"`
}

// merged overlays the update on lc's current values, as a create request to validate. An update that names a
// validity_type brings that type's fields itself: the old type's dates or schedule are not carried over, since
// validation refuses fields a type does not use.
func (u lockCodeUpdate) merged(lc *lockCode) lockCodeRequest {
	req := lockCodeRequest{Name: lc.Name, Code: flexString(lc.Code), ValidityType: lc.ValidityType, CodeType: lc.CodeType}
	if u.ValidityType != nil {
		u.mergeInto(&req)
		return req
	}
	req.FromDate, req.ToDate = lc.FromDate, lc.ToDate
	for _, e := range lc.Schedule {
		in := scheduleDetailIn{WD: e.WD, F: e.F, T: e.T}
		if e.D != nil {
			in.D = &flexInt{Set: true, Value: int64(*e.D)}
		}
		req.Schedule = append(req.Schedule, in)
	}
	u.mergeInto(&req)
	return req
}

// mergeInto overwrites req's fields with the ones the update sets.
func (u lockCodeUpdate) mergeInto(req *lockCodeRequest) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&req.Name, u.Name)
	set(&req.ValidityType, u.ValidityType)
	set(&req.FromDate, u.FromDate)
	set(&req.ToDate, u.ToDate)
	set(&req.CodeType, u.CodeType)
	if u.Code != nil {
		req.Code = *u.Code
	}
	if u.Schedule != nil {
		req.Schedule = *u.Schedule
	}
}

// handleLockCodeUpdate: PUT /api/lock_codes/{id} [INF] → LockCode; every lock goes back to setting.
func (s *Simulator) handleLockCodeUpdate(w http.ResponseWriter, r *http.Request, p principal) error {
	var u lockCodeUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, err := s.lookupLockCode(r, p)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(lc.Devices, func(e codeDevice) bool { return e.Status == codeRemoving }) {
		return conflict("Lock code is being removed")
	}
	req := u.merged(lc)
	sched, err := validateCodeFields(&req)
	if err != nil {
		return err
	}
	var locks []*device
	for _, e := range lc.Devices {
		if d := s.st.Devices[e.DeviceID]; d != nil {
			locks = append(locks, d)
		}
	}
	if err := s.checkDuplicate(string(req.Code), lc.ID, locks); err != nil {
		return err
	}
	lc.Name, lc.Code, lc.ValidityType, lc.Schedule = req.Name, string(req.Code), req.ValidityType, sched
	lc.CodeType = cmpOrString(req.CodeType, "Guest Code")
	lc.FromDate, lc.ToDate = "", ""
	if lc.ValidityType == validityPeriod {
		lc.FromDate, lc.ToDate = req.FromDate, req.ToDate
	}
	s.resetLockCode(lc)
	writeJSON(w, http.StatusOK, s.lockCodeView(lc))
	return nil
}

// handleLockCodeDelete: DELETE /api/lock_codes/{id} [INF]; locks go removing → removed, then the code is gone.
func (s *Simulator) handleLockCodeDelete(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, err := s.lookupLockCode(r, p)
	if err != nil {
		return err
	}
	s.deleteLockCode(lc)
	writeJSON(w, http.StatusOK, ok("Lock code deleted"))
	return nil
}
