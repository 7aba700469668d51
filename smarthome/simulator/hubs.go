package simulator

import (
	"net/http"
	"strconv"
	"strings"
)

// hubSummaryJSON is a /api/hubs list item [FIXTURE C-openly hubs_data]; status is a string here.
type hubSummaryJSON struct {
	hubCommonJSON
	IsActive   bool   `json:"is_active"`
	ActiveFrom string `json:"active_from"`
	ActiveTo   string `json:"active_to"`
	UserType   string `json:"user_type"`
	Status     string `json:"status"`
}

// hubDetailJSON is GET /api/hubs/{id} [FIXTURE C-openly hub_data]; status is the hub-reported object here.
type hubDetailJSON struct {
	hubCommonJSON
	Settings              hubSettingsJSON `json:"settings"`
	ShowMonitoringFeature bool            `json:"show_monitoring_feature"`
	AssignedDate          string          `json:"assigned_date"`
	Status                hubStatusJSON   `json:"status"`
}

type hubCommonJSON struct {
	ID                      string  `json:"id"`
	AllowedHubCodes         int     `json:"allowed_hub_codes"`
	TimeZone                string  `json:"time_zone"`
	HomeName                string  `json:"home_name"`
	OccupantSetting         string  `json:"occupant_setting"`
	Address                 string  `json:"address"`
	State                   string  `json:"state"`
	City                    string  `json:"city"`
	Zipcode                 string  `json:"zipcode"`
	Longitude               string  `json:"longitude"`
	Latitude                string  `json:"latitude"`
	PrimaryResidentOccupied bool    `json:"primary_resident_occupied"`
	Camera                  bool    `json:"camera"`
	MasterCode              string  `json:"master_code"`
	SerialNo                int64   `json:"serial_no"`
	PropertyURL             string  `json:"property_url"`
	UnitCode                string  `json:"unit_code"`
	APICode                 string  `json:"api_code"`
	VacationCodeOccupied    bool    `json:"vacation_code_occupied"`
	StreetAddress           string  `json:"street_address"`
	LockCodeCount           int     `json:"lock_code_count"`
	TopicName               string  `json:"topic_name"`
	PropertyID              *int64  `json:"property_id"`
	CompanyChangeDate       *string `json:"company_change_date"`
}

type hubSettingsJSON struct {
	TimeZone   string `json:"time_zone"`
	Monitoring string `json:"monitoring"`
}

// hubStatusJSON is the raw hub-reported status object (reference §5) plus the inferred online and power_source.
type hubStatusJSON struct {
	CSQ                     string              `json:"csq"`
	IMEI                    string              `json:"imei"`
	IMSI                    string              `json:"imsi"`
	Mode                    string              `json:"mode"`
	FwVer                   string              `json:"fwVer"`
	Model                   string              `json:"model"`
	Battery                 int                 `json:"battery"`
	Message                 string              `json:"message"`
	NodeList                []int               `json:"nodeList"`
	HeartBeat               string              `json:"heartBeat"`
	LockFWVer               []string            `json:"lockFWVer"`
	SerialSSH               bool                `json:"serialSsh"`
	HWSerialNo              string              `json:"HWSerialNo"`
	AddDevice               map[string][]string `json:"add_device"`
	BoardType               string              `json:"board_type"`
	NetworkType             string              `json:"network_type"`
	SignalQuery             signalQueryJSON     `json:"signal_query"`
	RemoveDevice            map[string]string   `json:"remove_device"`
	LastRefreshDate         string              `json:"lastRefreshDate"`
	ReadyForBleCmds         bool                `json:"readyForBleCmds"`
	SignalStrength          string              `json:"signal_strength"`
	ScanDeviceReport        string              `json:"scanDeviceReport"`
	PowerNotification       []any               `json:"powerNotification"`
	LastRemoveFailedNode    string              `json:"lastRemoveFailedNode"`
	UpdateHubFWverErrReport string              `json:"updateHubFWverErrReport"`
	Online                  bool                `json:"online"`
	PowerSource             string              `json:"power_source"`
}

type signalQueryJSON struct {
	CSQ          string `json:"csq"`
	WifiSS       string `json:"wifi_ss"`
	CurrConnType string `json:"curr_conn_type"`
}

func onlineWord(on bool) string {
	if on {
		return "Online"
	}
	return "Offline"
}

// hubCommon renders the fields both hub shapes share. occupied: the property has an active invitation.
func (s *Simulator) hubCommon(h *hub, occupied bool) hubCommonJSON {
	c := hubCommonJSON{
		ID: h.ID, AllowedHubCodes: 250, TimeZone: h.TimeZone, HomeName: h.HomeName, OccupantSetting: "Vacant",
		Address: s.hubAddress(h), State: h.State, City: h.City, Zipcode: h.Zipcode, Longitude: h.Longitude,
		Latitude: h.Latitude, PrimaryResidentOccupied: occupied, MasterCode: h.MasterCode, SerialNo: h.Serial,
		StreetAddress: h.StreetAddress, TopicName: "$aws/things/" + strconv.FormatInt(h.Serial, 10) + "/shadow/update/accepted",
		PropertyID: optInt64(h.PropertyID),
	}
	if occupied {
		c.OccupantSetting = "Occupied"
	}
	if h.PropertyID != 0 {
		c.PropertyURL = "https://app.rently.com/properties/" + strconv.FormatInt(h.PropertyID, 10)
	}
	if h.CompanyChangeDate != "" {
		c.CompanyChangeDate = &h.CompanyChangeDate
	}
	for _, d := range s.st.idx().devsByHub[h.ID] {
		for _, pin := range d.Codes {
			if pin != nil {
				c.LockCodeCount++
			}
		}
	}
	return c
}

// hubDetail renders HubDetail. Callers hold s.mu.
func (s *Simulator) hubDetail(h *hub) hubDetailJSON {
	st := hubStatusJSON{
		CSQ: strconv.Itoa(h.SignalStrength) + ",99", IMEI: h.IMEI, IMSI: h.IMSI, Mode: "central", FwVer: h.FwVer,
		Model: h.Model, Battery: h.Battery, NodeList: []int{1}, HeartBeat: isoTime(h.HeartBeat), LockFWVer: []string{},
		HWSerialNo: "HW" + strconv.FormatInt(h.Serial, 10), AddDevice: map[string][]string{}, BoardType: "V3",
		NetworkType: "cellular", RemoveDevice: map[string]string{}, LastRefreshDate: isoTime(h.LastRefresh),
		ReadyForBleCmds: h.Online, SignalStrength: strconv.Itoa(h.SignalStrength),
		PowerNotification: []any{"0xc1", h.Battery}, Online: h.Online, PowerSource: h.PowerSource,
		SignalQuery: signalQueryJSON{CSQ: strconv.Itoa(h.SignalStrength) + ",99", WifiSS: "0", CurrConnType: "cellular"},
	}
	for _, d := range s.st.idx().devsByHub[h.ID] {
		node := strconv.Itoa(d.NodeID)
		st.NodeList = append(st.NodeList, d.NodeID)
		st.AddDevice[node] = []string{d.Type, d.Name}
		if d.Type == "lock" {
			st.LockFWVer = append(st.LockFWVer, "1.8.0")
		}
	}
	for node, v := range h.RemovedNodes {
		st.RemoveDevice[node] = v
	}
	return hubDetailJSON{
		hubCommonJSON: s.hubCommon(h, s.occupied(h.PropertyID)), Settings: hubSettingsJSON{h.TimeZone, "disarm"},
		AssignedDate: h.AssignedDate, Status: st,
	}
}

// occupied reports whether a property has an active resident invitation.
func (s *Simulator) occupied(propertyID int64) bool {
	for _, inv := range s.st.Invitations {
		if inv.PropertyID == propertyID && propertyID != 0 && inv.Status == "active" {
			return true
		}
	}
	return false
}

// canSeeHub: agents see their company's hubs; residents and property tokens the hubs of their property.
func (s *Simulator) canSeeHub(p principal, h *hub) bool {
	if p.isAgent() {
		return h.Company == p.company()
	}
	return h.PropertyID != 0 && h.PropertyID == p.propertyID
}

// lookupHub finds a visible hub by the {id} path value. Callers hold s.mu.
func (s *Simulator) lookupHub(r *http.Request, p principal) (*hub, error) {
	h := s.st.Hubs[r.PathValue("id")]
	if h == nil {
		return nil, notFound("Hub not found")
	}
	if !s.canSeeHub(p, h) {
		return nil, forbidden("You do not have access to this hub")
	}
	return h, nil
}

// handleHubList: GET /api/hubs?search_key=&page=&per_page= [CLIENT C-openly; paging INF].
func (s *Simulator) handleHubList(w http.ResponseWriter, r *http.Request, p principal) error {
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	key := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("search_key")))
	s.mu.Lock()
	defer s.mu.Unlock()
	occupied := map[int64]bool{}
	for _, inv := range s.st.Invitations {
		occupied[inv.PropertyID] = occupied[inv.PropertyID] || inv.Status == "active"
	}
	var matched []*hub
	for _, h := range s.st.idx().sortedHubs {
		if s.canSeeHub(p, h) && (key == "" || strings.Contains(strings.ToLower(h.HomeName), key) ||
			strings.Contains(strconv.FormatInt(h.Serial, 10), key)) {
			matched = append(matched, h)
		}
	}
	lo, hi := pg.bounds(len(matched))
	items := make([]hubSummaryJSON, 0, hi-lo)
	for _, h := range matched[lo:hi] {
		items = append(items, hubSummaryJSON{hubCommonJSON: s.hubCommon(h, occupied[h.PropertyID]), IsActive: true,
			ActiveFrom: "1/1/2000 12:00 am", ActiveTo: "12/31/2099 11:59 pm", UserType: "admin", Status: onlineWord(h.Online)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_records": len(matched), "page": pg.Page, "per_page": pg.PerPage,
		"hubs": items})
	return nil
}

// handleHubDetail: GET /api/hubs/{id} [CLIENT C-openly].
func (s *Simulator) handleHubDetail(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.hubDetail(h))
	return nil
}

// handleHubDevices: GET /api/hubs/{id}/devices, keyed by device_type [CLIENT C-openly]. Residents see only the
// devices of their own property.
func (s *Simulator) handleHubDevices(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	var devs []*device
	for _, d := range s.st.idx().devsByHub[h.ID] {
		if s.canSeeDevice(p, d) == nil {
			devs = append(devs, d)
		}
	}
	writeJSON(w, http.StatusOK, s.devicesByType(devs, false))
	return nil
}

// handleCognito: GET /api/hubs/{id}/get_cognito_credentials [CLIENT C-mqttdemo], a stub: AWS IoT is not simulated.
func (s *Simulator) handleCognito(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"identity_id": "us-east-1:" + residentSub("hub:"+h.ID),
		"token": secureToken(48)})
	return nil
}
